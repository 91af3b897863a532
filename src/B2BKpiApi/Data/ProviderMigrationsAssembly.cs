using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;

namespace B2BKpiApi.Data;

/// <summary>
/// EF's migrations assembly, narrowed to one provider's migrations. Each provider has its own generated
/// migration set and model snapshot (<c>Data/Migrations/{Sqlite,Postgres,SqlServer}</c>) in this one
/// assembly; EF would otherwise see all three sets as one history. The runtime (<c>MigrateAsync</c>) and
/// the tools (<c>dotnet ef migrations add</c>, which diffs against the snapshot found here) both read
/// the set of the provider the context is configured with.
/// </summary>
internal sealed class ProviderMigrationsAssembly : IMigrationsAssembly
{
    private readonly Type _contextType;
    private readonly string _namespace;
    private readonly Lazy<IReadOnlyDictionary<string, TypeInfo>> _migrations;
    private readonly Lazy<ModelSnapshot?> _snapshot;

    public ProviderMigrationsAssembly(ICurrentDbContext currentContext, IDatabaseProvider provider)
    {
        _contextType = currentContext.Context.GetType();
        _namespace = Database.MigrationsNamespace(provider.Name);
        _migrations = new(FindMigrations);
        _snapshot = new(FindSnapshot);
    }

    public IReadOnlyDictionary<string, TypeInfo> Migrations => _migrations.Value;

    public ModelSnapshot? ModelSnapshot => _snapshot.Value;

    public Assembly Assembly => _contextType.Assembly;

    public string? FindMigrationId(string nameOrId) =>
        Migrations.Keys.FirstOrDefault(id => string.Equals(id, nameOrId, StringComparison.OrdinalIgnoreCase)
            || string.Equals(id[(id.IndexOf('_', StringComparison.Ordinal) + 1)..], nameOrId, StringComparison.OrdinalIgnoreCase));

    public Migration CreateMigration(TypeInfo migrationClass, string activeProvider)
    {
        var migration = (Migration)Activator.CreateInstance(migrationClass.AsType())!;
        migration.ActiveProvider = activeProvider;
        return migration;
    }

    private SortedDictionary<string, TypeInfo> FindMigrations() =>
        new SortedDictionary<string, TypeInfo>(
            Mine()
                .Where(t => t.IsSubclassOf(typeof(Migration)))
                .Select(t => (Type: t, Id: t.GetCustomAttribute<MigrationAttribute>()?.Id))
                .Where(m => m.Id is not null)
                .ToDictionary(m => m.Id!, m => m.Type),
            StringComparer.Ordinal);

    private ModelSnapshot? FindSnapshot() =>
        Mine().Where(t => t.IsSubclassOf(typeof(ModelSnapshot))).Select(t => (ModelSnapshot)Activator.CreateInstance(t.AsType())!).SingleOrDefault();

    private IEnumerable<TypeInfo> Mine() =>
        Assembly.DefinedTypes.Where(t => !t.IsAbstract && t.Namespace == _namespace
            && t.GetCustomAttribute<DbContextAttribute>()?.ContextType == _contextType);
}
