using System.Collections.Concurrent;
using System.Net;
using B2BKpiApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace B2BKpiApi.Tests.Features;

/// <summary>A failure inside the server is a bare 500 problem: no stack trace or secret in the answer or the log.</summary>
public sealed class UnexpectedErrorTests
{
    private sealed class CapturingFactory(TestDatabase database) : ApiFactory(database)
    {
        public ConcurrentQueue<string> Log { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(new CapturingProvider(Log)));
        }
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capturing(log);
        public void Dispose() { }

        private sealed class Capturing(ConcurrentQueue<string> log) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                log.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
        }
    }

    [Fact]
    public async Task A_database_failure_is_a_500_problem_without_stack_trace_or_key_in_answer_or_log()
    {
        if (ApiFactory.NewDatabase() is { Provider: not "sqlite" } other)
        {
            other.Drop();
            return; // the failure is made by deleting the SQLite file; the PostgreSQL run covers everything else
        }
        var database = TestDatabase.NewSqlite();
        await using var factory = new CapturingFactory(database);
        using var tenant = await factory.CreateTenantAsync();

        // Pull the database away from under the running API: the next query fails inside the server.
        database.Drop();

        using var response = await tenant.Http.GetAsync("/v1/clients");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("traceId", body, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Sqlite", body, StringComparison.OrdinalIgnoreCase);

        var log = string.Join('\n', factory.Log);
        Assert.Contains("Unhandled", log, StringComparison.Ordinal);
        Assert.True(!log.Contains("   at ", StringComparison.Ordinal), log);
        Assert.DoesNotContain(tenant.ApiKey, log, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiFactory.AdminKey, log, StringComparison.Ordinal);
    }
}
