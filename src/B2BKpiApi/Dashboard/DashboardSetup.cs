using Microsoft.Extensions.FileProviders;

namespace B2BKpiApi.Dashboard;

/// <summary>
/// Serves the KPI dashboard at <c>/dashboard/</c>: static files embedded in the assembly (Dashboard/Assets),
/// no server-side rendering. The page calls only the public <c>/v1</c> API of its own origin.
/// </summary>
public static class DashboardSetup
{
    public const string Path = "/dashboard";

    /// <summary>
    /// Only the page's own files may run or style it, and it may talk only to its own origin: a pasted key
    /// cannot be sent elsewhere, and no inline script or injected markup can execute.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Call before the API's middleware: the files need no key and count against no rate limit.</summary>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(DashboardSetup).Assembly, "B2BKpiApi.Dashboard");
        var options = new FileServerOptions { RequestPath = Path, FileProvider = files, EnableDefaultFiles = true };
        options.StaticFileOptions.OnPrepareResponse = context =>
        {
            var headers = context.Context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            // Revalidate on every load (the ETag makes that cheap), so a new deployment is seen at once.
            headers.CacheControl = "no-cache";
        };
        app.UseFileServer(options);
        return app;
    }
}
