using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using B2BKpiApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace B2BKpiApi.Ingest;

/// <summary>One column of a bulk-written table, read from the EF model so that the bulk path stores exactly what EF would.</summary>
internal sealed class BulkColumn<TEntity>(string name, bool isNullable, Type providerType, RelationalTypeMapping mapping, Func<TEntity, object?> read)
    where TEntity : TenantOwned
{
    /// <summary>The column name, quoted for SQL (the same on SQLite and PostgreSQL).</summary>
    public string Sql { get; } = BulkTable<TEntity>.Quote(name);

    public bool IsNullable { get; } = isNullable;

    /// <summary>The CLR type the provider stores (string for an enum kept as text).</summary>
    public Type ProviderType { get; } = providerType;

    /// <summary>EF's type mapping: it creates parameters exactly as EF's own commands do.</summary>
    public RelationalTypeMapping Mapping { get; } = mapping;

    /// <summary>The value to store, after the model's value converter (enum to string, DateTime to UTC).</summary>
    public object? Read(TEntity entity) => read(entity);
}

/// <summary>
/// The table of a tenant-owned entity as the EF model maps it: name, columns, value converters. Built
/// once per model, so a column added to an entity is bulk-written without touching this folder.
/// </summary>
internal sealed class BulkTable<TEntity> where TEntity : TenantOwned
{
    private static readonly ConditionalWeakTable<IModel, BulkTable<TEntity>> Cache = [];

    private BulkTable(IModel model)
    {
        var entityType = model.FindEntityType(typeof(TEntity))
                         ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        Name = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not mapped to a table.");
        Sql = Quote(Name);
        Columns = entityType.GetProperties().Select(Column).ToArray();
        ConflictKey = $"{Quote(nameof(TenantOwned.TenantId))}, {Quote(nameof(TenantOwned.ExternalId))}";

        // The upsert's key must be a unique index of the model, or ON CONFLICT has nothing to infer.
        var keyIndex = entityType.GetIndexes().SingleOrDefault(i => i.IsUnique &&
            i.Properties.Select(p => p.Name).SequenceEqual([nameof(TenantOwned.TenantId), nameof(TenantOwned.ExternalId)]));
        if (keyIndex is null)
            throw new InvalidOperationException($"{Name} has no unique index on (TenantId, ExternalId) for the upsert.");
    }

    public static BulkTable<TEntity> For(IModel model) => Cache.GetValue(model, m => new BulkTable<TEntity>(m));

    public string Name { get; }

    /// <summary>The quoted table name.</summary>
    public string Sql { get; }

    public IReadOnlyList<BulkColumn<TEntity>> Columns { get; }

    /// <summary>The quoted columns of the unique index the upsert matches on.</summary>
    public string ConflictKey { get; }

    /// <summary>The columns a request writes: an upsert updates them, and a change in any of them is a change of the record.</summary>
    public IEnumerable<BulkColumn<TEntity>> DataColumns => Columns.Where(c => !ServerSet.Contains(c.Sql));

    public string ColumnList => string.Join(", ", Columns.Select(c => c.Sql));

    /// <summary>Set by the server, never by a request: kept on update except the two an update advances.</summary>
    private static readonly HashSet<string> ServerSet = new[]
    {
        nameof(TenantOwned.Id), nameof(TenantOwned.TenantId), nameof(TenantOwned.ExternalId),
        nameof(TenantOwned.CreatedAt), nameof(TenantOwned.UpdatedAt), nameof(TenantOwned.Version),
    }.Select(Quote).ToHashSet(StringComparer.Ordinal);

    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static BulkColumn<TEntity> Column(IProperty property)
    {
        var mapping = property.GetRelationalTypeMapping();
        var converter = mapping.Converter;
        var info = property.PropertyInfo
                   ?? throw new InvalidOperationException($"{typeof(TEntity).Name}.{property.Name} has no CLR property to bulk-write.");
        var entity = Expression.Parameter(typeof(TEntity), "e");
        var get = Expression.Lambda<Func<TEntity, object?>>(
            Expression.Convert(Expression.Property(entity, info), typeof(object)), entity).Compile();
        Func<TEntity, object?> read = converter is null
            ? get
            : e => get(e) is { } value ? converter.ConvertToProvider(value) : null;
        var providerType = Nullable.GetUnderlyingType(converter?.ProviderClrType ?? property.ClrType)
                           ?? converter?.ProviderClrType ?? property.ClrType;
        return new BulkColumn<TEntity>(property.GetColumnName(), property.IsNullable, providerType, mapping, read);
    }
}
