namespace B2BKpiApi.Tests.Infrastructure;

public static class Repo
{
    /// <summary>The repository root: the folder holding B2BKpiApi.sln.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "B2BKpiApi.sln")))
                return dir.FullName;
        throw new InvalidOperationException("B2BKpiApi.sln not found above the test binaries.");
    }
}
