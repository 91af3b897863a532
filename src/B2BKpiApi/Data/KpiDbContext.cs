using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace B2BKpiApi.Data;

public sealed class KpiDbContext(DbContextOptions<KpiDbContext> options, TenantContext tenant, TimeProvider clock)
    : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<Contract> Contracts => Set<Contract>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<Survey> Surveys => Set<Survey>();
    public DbSet<Cost> Costs => Set<Cost>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();

    // Read by the query filters at query time, so one context instance never serves two tenants' rows.
    private Guid CurrentTenantId => tenant.TenantId;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite hands DateTime back without a kind; every timestamp we store is UTC.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(200);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Tenant>(t =>
        {
            t.Property(x => x.Currency).HasMaxLength(3);
            t.Property(x => x.ApiKeyId).HasMaxLength(32);
            t.HasIndex(x => x.ApiKeyId).IsUnique();
        });

        modelBuilder.Entity<Client>(c =>
        {
            c.HasIndex(x => new { x.TenantId, x.AcquiredOn });
            c.HasIndex(x => new { x.TenantId, x.ChurnedOn });
        });

        modelBuilder.Entity<Contract>(c =>
        {
            c.Property(x => x.Currency).HasMaxLength(3);
            c.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            c.HasOne<Client>().WithMany().HasForeignKey(x => x.ClientId).OnDelete(DeleteBehavior.Restrict);
            c.HasIndex(x => new { x.TenantId, x.StartsOn, x.EndsOn });
            c.HasIndex(x => new { x.TenantId, x.SignedOn });
        });

        modelBuilder.Entity<Lead>(l =>
        {
            l.Property(x => x.Currency).HasMaxLength(3);
            l.Property(x => x.Outcome).HasConversion<string>().HasMaxLength(16);
            l.HasIndex(x => new { x.TenantId, x.CreatedOn });
            l.HasIndex(x => new { x.TenantId, x.QualifiedOn });
            l.HasIndex(x => new { x.TenantId, x.ClosedOn });
        });

        modelBuilder.Entity<Survey>(s =>
        {
            s.Property(x => x.Kind).HasConversion<string>().HasMaxLength(16);
            s.Property(x => x.RespondentRole).HasConversion<string>().HasMaxLength(32);
            s.HasOne<Client>().WithMany().HasForeignKey(x => x.ClientId).OnDelete(DeleteBehavior.Restrict);
            s.HasIndex(x => new { x.TenantId, x.Kind, x.RespondedOn });
        });

        modelBuilder.Entity<Cost>(c =>
        {
            c.Property(x => x.Currency).HasMaxLength(3);
            c.Property(x => x.Category).HasConversion<string>().HasMaxLength(16);
            c.HasIndex(x => new { x.TenantId, x.IncurredOn, x.Category });
        });

        modelBuilder.Entity<IdempotencyRecord>(i =>
        {
            i.Property(x => x.Key).HasMaxLength(255);
            i.HasIndex(x => new { x.Scope, x.Key }).IsUnique();
            i.HasIndex(x => x.ExpiresAt);
        });

        ConfigureTenantOwned<Client>(modelBuilder);
        ConfigureTenantOwned<Contract>(modelBuilder);
        ConfigureTenantOwned<Lead>(modelBuilder);
        ConfigureTenantOwned<Survey>(modelBuilder);
        ConfigureTenantOwned<Cost>(modelBuilder);
    }

    // The one place tenant isolation lives: every tenant-owned entity is filtered by the request's tenant.
    private void ConfigureTenantOwned<T>(ModelBuilder modelBuilder) where T : TenantOwned
    {
        var entity = modelBuilder.Entity<T>();
        entity.HasQueryFilter((Expression<Func<T, bool>>)(e => e.TenantId == CurrentTenantId));
        entity.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Cascade);
        entity.HasIndex(e => new { e.TenantId, e.ExternalId }).IsUnique();
        entity.Property(e => e.ExternalId).HasMaxLength(100);
        entity.Property(e => e.Version).IsConcurrencyToken();
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenantOwned();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenantOwned();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void StampTenantOwned()
    {
        var now = Now(clock);
        foreach (var entry in ChangeTracker.Entries<TenantOwned>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    if (!tenant.IsResolved)
                        throw new InvalidOperationException("A tenant-owned record cannot be saved outside a tenant's request.");
                    entry.Entity.TenantId = tenant.TenantId;
                    entry.Entity.CreatedAt = now;
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.Version = 1;
                    break;
                case EntityState.Modified:
                    if (entry.Entity.TenantId != tenant.TenantId)
                        throw new InvalidOperationException("A record cannot change tenant.");
                    entry.Property(e => e.TenantId).IsModified = false;
                    entry.Property(e => e.CreatedAt).IsModified = false;
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.Version++;
                    break;
            }
        }
    }

    /// <summary>The current UTC time at the microsecond precision PostgreSQL keeps, so a record reads back exactly as it was written.</summary>
    public static DateTime Now(TimeProvider clock)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        return now.AddTicks(-(now.Ticks % (TimeSpan.TicksPerMillisecond / 1000)));
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
