using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace B2BKpiApi.Observability;

/// <summary>
/// A span per database command that EF Core runs on SQLite, built from EF Core's own diagnostic events
/// (the EF Core OpenTelemetry instrumentation is not available to us, and an interceptor would have to be
/// wired into the DbContext registration). PostgreSQL commands are skipped here: Npgsql's own
/// instrumentation traces them, with the server's details.
/// </summary>
/// <remarks>
/// The subscription is process-wide and made once: several hosts in one process (tests) must not each
/// start a span for the same command. Without an OpenTelemetry listener on <see cref="SourceName"/>,
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and this costs a lookup.
/// The span carries the SQL text, which EF Core parameterizes: values (tenant ids, record data) stay out.
/// </remarks>
public static class DbCommandTracing
{
    public const string SourceName = "B2BKpiApi.Database";

    private static readonly ActivitySource Source = new(SourceName, "1.0.0");
    private static readonly ConcurrentDictionary<Guid, Activity> Running = new();
    private static readonly SearchValues<char> WordEnd = SearchValues.Create(" \r\n\t(;");
    private static int _subscribed;

    public static void EnsureSubscribed()
    {
        if (Interlocked.Exchange(ref _subscribed, 1) == 0)
            DiagnosticListener.AllListeners.Subscribe(new ListenerObserver());
    }

    private static void OnEvent(KeyValuePair<string, object?> e)
    {
        switch (e.Value)
        {
            case CommandErrorEventData error when Running.TryRemove(error.CommandId, out var failed):
                failed.SetStatus(ActivityStatusCode.Error, error.Exception.GetType().Name);
                failed.SetTag("error.type", error.Exception.GetType().FullName);
                failed.Stop();
                break;
            case CommandExecutedEventData executed when Running.TryRemove(executed.CommandId, out var done):
                done.Stop();
                break;
            case CommandEventData executing when e.Key == RelationalEventId.CommandExecuting.Name:
                Start(executing.Command, executing.CommandId);
                break;
        }
    }

    private static void Start(DbCommand command, Guid commandId)
    {
        if (command.GetType().Namespace?.StartsWith("Npgsql", StringComparison.Ordinal) == true)
            return;
        var operation = FirstWord(command.CommandText);
        var activity = Source.StartActivity($"{operation} sqlite", ActivityKind.Client);
        if (activity is null)
            return;
        activity.SetTag("db.system.name", "sqlite");
        activity.SetTag("db.operation.name", operation);
        activity.SetTag("db.query.text", command.CommandText);
        Running[commandId] = activity;
    }

    private static string FirstWord(string sql)
    {
        var text = sql.AsSpan().TrimStart();
        var end = text.IndexOfAny(WordEnd);
        var word = (end < 0 ? text : text[..end]).ToString().ToUpperInvariant();
        return word.Length is > 0 and <= 16 ? word : "SQL";
    }

    private sealed class ListenerObserver : IObserver<DiagnosticListener>
    {
        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name)
                listener.Subscribe(new EventObserver(), IsCommandEvent);
        }

        public void OnCompleted() { }

        public void OnError(Exception error) { }

        private static bool IsCommandEvent(string name) =>
            name == RelationalEventId.CommandExecuting.Name || name == RelationalEventId.CommandExecuted.Name ||
            name == RelationalEventId.CommandError.Name;
    }

    private sealed class EventObserver : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value) => OnEvent(value);

        public void OnCompleted() { }

        public void OnError(Exception error) { }
    }
}
