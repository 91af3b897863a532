using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Text.RegularExpressions;
using B2BKpiApi.Tenancy;
using B2BKpiApi.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace B2BKpiApi.Tests.Infrastructure;

/// <summary>
/// The API configured for SQL Server (<c>Database:Provider=sqlserver</c>) with no SQL Server behind it:
/// no SQL Server engine runs on our machines. EF does everything it would do against a real server up to
/// the wire: it translates every query to T-SQL, and <see cref="SqlServerCapture"/> records each command
/// instead of sending it and answers with an empty result. Every EF warning is an error here, so a query
/// EF would evaluate on the client, or could not translate, fails the request (500) instead of passing.
/// The one row it fabricates is the caller's tenant, so that the API-key lookup lets requests through.
/// </summary>
public sealed class SqlServerApiFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";

    public SqlServerCapture Capture { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Database.SqlServer);
        // Never opened: the capture suppresses every connection opening.
        builder.UseSetting("ConnectionStrings:Kpi", "Server=sqlserver.invalid;Database=kpi;TrustServerCertificate=True");
        // The schema is SqlServerMigrationTests' business; start-up must not try to migrate a server that is not there.
        builder.UseSetting("Database:MigrateOnStartup", "false");
        builder.UseSetting("Auth:AdminApiKey", AdminKey);
        builder.UseSetting("RateLimiting:PermitsPerMinute", "100000");
        builder.ConfigureTestServices(services => services.ConfigureDbContext<KpiDbContext>(options => options
            .AddInterceptors(Capture)
            .ConfigureWarnings(w => w.Default(WarningBehavior.Throw)
                // Each test host builds its own EF service provider; that is the tests' doing, not the API's.
                .Ignore(CoreEventId.ManyServiceProvidersCreatedWarning))));
    }

    /// <summary>A client sending the key of a tenant that exists only in <see cref="SqlServerCapture"/>'s answers.</summary>
    public HttpClient CreateTenantClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", Capture.TenantKey);
        return client;
    }
}

/// <summary>Records every command instead of running it; see <see cref="SqlServerApiFactory"/>.</summary>
public sealed partial class SqlServerCapture : IDbConnectionInterceptor, IDbCommandInterceptor
{
    private readonly ApiKeys.NewKey _key = ApiKeys.Create();
    private readonly ConcurrentQueue<string> _commands = new();

    public Guid TenantId { get; } = Guid.CreateVersion7();
    public string TenantKey => _key.Key;

    /// <summary>Every command text EF sent so far, in order.</summary>
    public IReadOnlyList<string> Commands => [.. _commands];

    /// <summary>Forgets the commands recorded so far and returns them.</summary>
    public IReadOnlyList<string> Take()
    {
        var taken = new List<string>();
        while (_commands.TryDequeue(out var command))
            taken.Add(command);
        return taken;
    }

    public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
        InterceptionResult.Suppress();

    public ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default) => ValueTask.FromResult(InterceptionResult.Suppress());

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        InterceptionResult<DbDataReader>.SuppressWithResult(Answer(command));

    public ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(InterceptionResult<DbDataReader>.SuppressWithResult(Answer(command)));

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        _commands.Enqueue(command.CommandText);
        return InterceptionResult<int>.SuppressWithResult(0);
    }

    public ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(NonQueryExecuting(command, eventData, result));

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        _commands.Enqueue(command.CommandText);
        return InterceptionResult<object>.SuppressWithResult(DBNull.Value);
    }

    public ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ScalarExecuting(command, eventData, result));

    /// <summary>No rows, except the tenant row for the API-key lookup, with the columns that query selects.</summary>
    private DataTableReader Answer(DbCommand command)
    {
        _commands.Enqueue(command.CommandText);
        var table = new DataTable();
        if (TenantLookup().IsMatch(command.CommandText))
        {
            var select = command.CommandText[..command.CommandText.IndexOf("FROM", StringComparison.Ordinal)];
            var row = new List<object>();
            foreach (Match column in SelectedColumn().Matches(select))
            {
                var name = column.Groups["name"].Value;
                object value = name switch
                {
                    "Id" => TenantId,
                    "ApiKeyId" => _key.KeyId,
                    "ApiKeyHash" => _key.SecretHash,
                    "Currency" => "USD",
                    "Industry" => "manufacturing",
                    "Name" => "SQL Server tenant",
                    "CreatedAt" => DateTime.UtcNow,
                    "DataVersion" => 0L,
                    _ => throw new InvalidOperationException($"The tenant lookup selects a column this fake does not know: {name}"),
                };
                table.Columns.Add(name, value.GetType());
                row.Add(value);
            }
            table.Rows.Add([.. row]);
        }
        return table.CreateDataReader();
    }

    [GeneratedRegex(@"FROM \[Tenants\] AS \[\w+\]\s+WHERE \[\w+\]\.\[ApiKeyId\] = ")]
    private static partial Regex TenantLookup();

    [GeneratedRegex(@"\[\w+\]\.\[(?<name>\w+)\]")]
    private static partial Regex SelectedColumn();
}
