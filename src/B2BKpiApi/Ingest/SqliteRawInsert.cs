using System.Diagnostics;
using System.Globalization;
using B2BKpiApi.Data;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace B2BKpiApi.Ingest;

/// <summary>
/// One prepared <c>INSERT</c> of a whole row, run through SQLitePCLRaw on the connection's handle (so inside the
/// connection's open transaction) with its values bound by position. Values bind exactly as Microsoft.Data.Sqlite
/// binds them for EF's parameters (its SqliteValueBinder): Guid as upper-case text, DateTime as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>, DateOnly as <c>yyyy-MM-dd</c>, integers and booleans as integers. A column of
/// any other type, or one whose EF parameter asks for another storage (a Guid as a blob, a date as a Julian day),
/// is refused when the statement is built, so a new kind of column fails the tests rather than storing differently.
/// </summary>
internal sealed class SqliteRawInsert<TEntity> : IDisposable where TEntity : TenantOwned
{
    private static readonly Type[] Supported =
        [typeof(string), typeof(Guid), typeof(DateTime), typeof(DateOnly), typeof(bool), typeof(byte), typeof(short),
         typeof(int), typeof(long), typeof(decimal), typeof(double), typeof(byte[])];

    private readonly IReadOnlyList<BulkColumn<TEntity>> _columns;
    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;

    public SqliteRawInsert(BulkTable<TEntity> table, IReadOnlyList<SqliteType> parameterTypes, SqliteConnection connection)
    {
        _columns = table.Columns;
        for (var i = 0; i < _columns.Count; i++)
        {
            var (type, storage) = (_columns[i].ProviderType, parameterTypes[i]);
            if (!Supported.Contains(type) || (type == typeof(Guid) && storage == SqliteType.Blob)
                || ((type == typeof(DateTime) || type == typeof(DateOnly)) && storage == SqliteType.Real))
                throw new NotSupportedException(
                    $"{table.Name}.{_columns[i].Sql}: a {type.Name} column stored as {storage} has no positional binding here; add it to SqliteRawInsert.");
        }
        _connection = connection;
        var sql = $"INSERT INTO {table.Sql} ({table.ColumnList}) VALUES ({string.Join(", ", _columns.Select(_ => "?"))})";
        var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        SqliteException.ThrowExceptionForRC(rc, connection.Handle);
    }

    /// <summary>Inserts one row; a constraint violation throws the <see cref="SqliteException"/> Microsoft.Data.Sqlite would.</summary>
    public void Insert(TEntity row)
    {
        for (var i = 0; i < _columns.Count; i++)
            Bind(i + 1, _columns[i].Read(row));
        var rc = raw.sqlite3_step(_statement);
        // Another connection's lock: wait as Microsoft.Data.Sqlite does, up to the connection's command timeout.
        if (IsBusy(rc))
        {
            var waited = Stopwatch.StartNew();
            while (IsBusy(rc) && waited.Elapsed.TotalSeconds < _connection.DefaultTimeout)
            {
                raw.sqlite3_reset(_statement);
                Thread.Sleep(150);
                rc = raw.sqlite3_step(_statement);
            }
        }
        try
        {
            if (rc != raw.SQLITE_DONE)
                SqliteException.ThrowExceptionForRC(rc, _connection.Handle); // before the reset, while the error is the statement's
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    private static bool IsBusy(int rc) => rc is raw.SQLITE_BUSY or raw.SQLITE_LOCKED or raw.SQLITE_LOCKED_SHAREDCACHE;

    private void Bind(int index, object? value)
    {
        Span<byte> text = stackalloc byte[40];
        int written;
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_statement, index),
            string s => raw.sqlite3_bind_text(_statement, index, s),
            long l => raw.sqlite3_bind_int64(_statement, index, l),
            int n => raw.sqlite3_bind_int64(_statement, index, n),
            short n => raw.sqlite3_bind_int64(_statement, index, n),
            byte n => raw.sqlite3_bind_int64(_statement, index, n),
            bool b => raw.sqlite3_bind_int64(_statement, index, b ? 1 : 0),
            Guid g when g.TryFormat(text, out written, "D") => raw.sqlite3_bind_text(_statement, index, UpperHex(text[..written])),
            DateTime d when d.TryFormat(text, out written, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture) =>
                raw.sqlite3_bind_text(_statement, index, text[..written]),
            DateOnly d when d.TryFormat(text, out written, @"yyyy\-MM\-dd", CultureInfo.InvariantCulture) =>
                raw.sqlite3_bind_text(_statement, index, text[..written]),
            decimal m => raw.sqlite3_bind_text(_statement, index, m.ToString("0.0###########################", CultureInfo.InvariantCulture)),
            double x when !double.IsNaN(x) => raw.sqlite3_bind_double(_statement, index, x),
            byte[] bytes => raw.sqlite3_bind_blob(_statement, index, bytes),
            _ => throw new InvalidOperationException($"No binding for a {value.GetType().Name} value (column {index})."),
        };
        SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
    }

    /// <summary>Microsoft.Data.Sqlite stores a Guid as its upper-case text.</summary>
    private static ReadOnlySpan<byte> UpperHex(Span<byte> guid)
    {
        for (var i = 0; i < guid.Length; i++)
            if (guid[i] is >= (byte)'a' and <= (byte)'f')
                guid[i] -= 'a' - 'A';
        return guid;
    }

    public void Dispose() => _statement.Dispose();
}
