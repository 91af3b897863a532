using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace B2BKpiApi.Data;

public sealed class KpiDbContext(
    DbContextOptions<KpiDbContext> options, TenantContext tenant, TimeProvider clock,
    B2BKpiApi.Idempotency.IdempotencyClaim? idempotency = null)
    : DbContext(options)
{
    public DbSet<Tenant> Tenants => Set<Tenant>();
    public DbSet<Client> Clients => Set<Client>();
    public DbSet<Contract> Contracts => Set<Contract>();
    public DbSet<Lead> Leads => Set<Lead>();
    public DbSet<Survey> Surveys => Set<Survey>();
    public DbSet<Cost> Costs => Set<Cost>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<AlertRule> AlertRules => Set<AlertRule>();
    public DbSet<AlertSchedule> AlertSchedules => Set<AlertSchedule>();
    public DbSet<WebhookMessage> WebhookMessages => Set<WebhookMessage>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();
    public DbSet<PeerBenchmarkSetting> PeerBenchmarkSettings => Set<PeerBenchmarkSetting>();
    public DbSet<PeerBenchmarkSnapshot> PeerBenchmarkSnapshots => Set<PeerBenchmarkSnapshot>();
    public DbSet<PeerBenchmarkRun> PeerBenchmarkRuns => Set<PeerBenchmarkRun>();
    public DbSet<ChurnModel> ChurnModels => Set<ChurnModel>();

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

        modelBuilder.Entity<WebhookEndpoint>(w =>
        {
            w.Property(x => x.Url).HasMaxLength(2000);
            w.Property(x => x.Description).HasMaxLength(500);
            w.Property(x => x.EventTypes).HasMaxLength(500);
            w.Property(x => x.SecretProtected).HasMaxLength(1000);
            w.Property(x => x.PreviousSecretProtected).HasMaxLength(1000);
            w.Property(x => x.DisabledReason).HasMaxLength(500);
            w.HasIndex(x => new { x.TenantId, x.CreatedAt });
        });

        modelBuilder.Entity<AlertRule>(a =>
        {
            a.Property(x => x.KpiId).HasMaxLength(64);
            a.Property(x => x.Window).HasMaxLength(16);
            a.Property(x => x.Condition).HasMaxLength(32);
            a.Property(x => x.ChangeUnit).HasMaxLength(16);
            a.Property(x => x.State).HasMaxLength(16);
            a.Property(x => x.Threshold).HasPrecision(28, 8);
            a.Property(x => x.RiskThreshold).HasPrecision(5, 4);
            a.Property(x => x.LastEvaluation).HasMaxLength(100_000);
            a.HasIndex(x => new { x.TenantId, x.CreatedAt });
        });

        // Worker state, read across tenants by the alert worker only: no query filter.
        modelBuilder.Entity<AlertSchedule>(a =>
        {
            a.HasKey(x => x.TenantId);
            a.HasOne<Tenant>().WithMany().HasForeignKey(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
        });

        // Outbox, deliveries and attempts are written and read by the background workers across tenants,
        // so they carry no query filter: the endpoints that show them filter by the request's tenant
        // explicitly, through the endpoint they belong to (which is filtered).
        modelBuilder.Entity<WebhookMessage>(m =>
        {
            m.Property(x => x.EventType).HasMaxLength(64);
            m.Property(x => x.Payload).HasMaxLength(1_000_000);
            // No foreign key to the tenant: SQL Server refuses a second cascade path to deliveries (tenant →
            // endpoint → delivery is the first). Messages are removed with their age by the delivery worker.
            m.HasIndex(x => x.CreatedAt);
        });

        modelBuilder.Entity<WebhookDelivery>(d =>
        {
            d.Property(x => x.Status).HasMaxLength(16);
            d.Property(x => x.LastError).HasMaxLength(500);
            d.HasOne<WebhookMessage>().WithMany().HasForeignKey(x => x.MessageId).OnDelete(DeleteBehavior.Cascade);
            d.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(x => x.EndpointId).OnDelete(DeleteBehavior.Cascade);
            d.HasIndex(x => new { x.Status, x.NextAttemptAt });
            d.HasIndex(x => new { x.EndpointId, x.CreatedAt });
        });

        modelBuilder.Entity<WebhookAttempt>(a =>
        {
            a.Property(x => x.Error).HasMaxLength(500);
            a.HasOne<WebhookDelivery>().WithMany().HasForeignKey(x => x.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            a.HasIndex(x => new { x.DeliveryId, x.StartedAt });
        });

        modelBuilder.Entity<PeerBenchmarkSetting>(p =>
        {
            p.Property(x => x.SizeBand).HasMaxLength(16);
            p.HasIndex(x => x.TenantId).IsUnique();
        });

        // Peer snapshots and the job's lease row are cross-tenant by nature: they hold no tenant's records and carry
        // no query filter. Only the peer-benchmark job writes them and only PeerBenchmarkReader reads them (README
        // "Peer benchmarks"); tenant isolation stays in the two Configure* methods below.
        modelBuilder.Entity<PeerBenchmarkSnapshot>(p =>
        {
            p.Property(x => x.KpiId).HasMaxLength(64);
            p.Property(x => x.PeriodKind).HasMaxLength(16);
            p.Property(x => x.Cohort).HasMaxLength(16);
            p.Property(x => x.SizeBand).HasMaxLength(16);
            p.Property(x => x.Members).HasMaxLength(1_000_000);
            foreach (var percentile in new[] { nameof(PeerBenchmarkSnapshot.P10), nameof(PeerBenchmarkSnapshot.P25),
                         nameof(PeerBenchmarkSnapshot.P50), nameof(PeerBenchmarkSnapshot.P75), nameof(PeerBenchmarkSnapshot.P90) })
                p.Property(percentile).HasPrecision(28, 8);
            p.HasIndex(x => new { x.KpiId, x.PeriodFrom, x.PeriodTo, x.Cohort, x.Industry, x.SizeBand }).IsUnique();
        });

        modelBuilder.Entity<PeerBenchmarkRun>(r =>
        {
            r.Property(x => x.Id).ValueGeneratedNever();
            r.Property(x => x.LeaseHolder).HasMaxLength(100);
            r.HasData(new PeerBenchmarkRun { Id = PeerBenchmarkRun.SingletonId });
        });

        // Churn models: one row per tenant, filtered like every tenant's data; the trainer crosses tenants with IgnoreQueryFilters.
        modelBuilder.Entity<ChurnModel>(m =>
        {
            m.HasKey(x => x.TenantId);
            m.Property(x => x.Method).HasMaxLength(32);
            m.Property(x => x.MethodReason).HasMaxLength(64);
            m.Property(x => x.Parameters).HasMaxLength(10_000);
            m.Property(x => x.BackTest).HasMaxLength(10_000);
            m.HasOne<Tenant>().WithOne().HasForeignKey<ChurnModel>(x => x.TenantId).OnDelete(DeleteBehavior.Cascade);
            m.HasQueryFilter(x => x.TenantId == CurrentTenantId);
        });

        ConfigureTenantSetting<WebhookEndpoint>(modelBuilder);
        ConfigureTenantSetting<AlertRule>(modelBuilder);
        ConfigureTenantSetting<PeerBenchmarkSetting>(modelBuilder);

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

    private void ConfigureTenantSetting<T>(ModelBuilder modelBuilder) where T : TenantSetting
    {
        var entity = modelBuilder.Entity<T>();
        entity.HasQueryFilter((Expression<Func<T, bool>>)(e => e.TenantId == CurrentTenantId));
        entity.HasOne<Tenant>().WithMany().HasForeignKey(e => e.TenantId).OnDelete(DeleteBehavior.Cascade);
        entity.Property(e => e.Version).IsConcurrencyToken();
    }

    // The transaction in which this context last raised the tenant's DataVersion: a CSV import saves
    // chunk after chunk in one transaction and needs one bump, not one per chunk.
    private IDbContextTransaction? _touchedIn;

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var stamped = StampTenantOwned();
        var marks = MarksIdempotentExecution();
        if (!stamped && !marks)
            return base.SaveChanges(acceptAllChangesOnSuccess);
        if (Database.CurrentTransaction is not null)
        {
            if (stamped) TouchTenantData(); else MarkIdempotentExecution();
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        var written = Database.CreateExecutionStrategy().Execute((this, stamped), static state =>
        {
            var (db, stamped) = state;
            using var transaction = db.Database.BeginTransaction();
            if (stamped) db.TouchTenantData(); else db.MarkIdempotentExecution();
            var count = db.SaveChangesWithoutTouch(acceptAllChangesOnSuccess: false);
            transaction.Commit();
            return count;
        });
        if (acceptAllChangesOnSuccess)
            ChangeTracker.AcceptAllChanges();
        return written;
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var stamped = StampTenantOwned();
        var marks = MarksIdempotentExecution();
        if (!stamped && !marks)
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (Database.CurrentTransaction is not null)
        {
            if (stamped) await TouchTenantDataAsync(cancellationToken); else await MarkIdempotentExecutionAsync(cancellationToken);
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        // Our own transaction, so that the bump (and the idempotency mark) and the write commit together; changes
        // are accepted only after the commit, so a retried or failed commit leaves the tracker as it was.
        var written = await Database.CreateExecutionStrategy().ExecuteAsync((this, stamped), static async (state, ct) =>
        {
            var (db, stamped) = state;
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            if (stamped) await db.TouchTenantDataAsync(ct); else await db.MarkIdempotentExecutionAsync(ct);
            var count = await db.SaveChangesWithoutTouchAsync(acceptAllChangesOnSuccess: false, ct);
            await transaction.CommitAsync(ct);
            return count;
        }, cancellationToken);
        if (acceptAllChangesOnSuccess)
            ChangeTracker.AcceptAllChanges();
        return written;
    }

    private int SaveChangesWithoutTouch(bool acceptAllChangesOnSuccess) => base.SaveChanges(acceptAllChangesOnSuccess);

    private Task<int> SaveChangesWithoutTouchAsync(bool acceptAllChangesOnSuccess, CancellationToken ct) =>
        base.SaveChangesAsync(acceptAllChangesOnSuccess, ct);

    /// <summary>
    /// Raises the current tenant's <see cref="Tenant.DataVersion"/>, which retires every cached KPI result
    /// of the tenant. SaveChanges calls it whenever tenant-owned records changed; a writer that bypasses
    /// SaveChanges (the bulk importer) calls it itself, inside its transaction and before it writes.
    /// </summary>
    /// <remarks>
    /// It must run FIRST in the write's transaction. On PostgreSQL the UPDATE takes the tenant row's
    /// FOR NO KEY UPDATE lock, held to commit, so concurrent writers of one tenant queue here before
    /// they touch any record: they then serialize cleanly instead of deadlocking (two writers that each
    /// hold a record or unique-index entry the other needs, and then both wait on the tenant row). The
    /// lock does not conflict with the FOR KEY SHARE lock that inserting a record takes on the tenant
    /// row for its foreign key, and readers never wait on it. On SQLite, which has one write lock per
    /// database, bumping first makes the transaction take that lock at its first statement rather than
    /// upgrade to it later. Within one transaction the bump happens once.
    /// </remarks>
    public async Task TouchTenantDataAsync(CancellationToken ct)
    {
        var transaction = Database.CurrentTransaction;
        if (transaction is not null && ReferenceEquals(transaction, _touchedIn))
            return;
        var tenantId = RequireTenant();
        var updated = await Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.DataVersion, t => t.DataVersion + 1), ct);
        EnsureTouched(updated);
        _touchedIn = transaction;
        _changedTenant = tenantId;
        await MarkIdempotentExecutionAsync(ct);
    }

    private void TouchTenantData()
    {
        var transaction = Database.CurrentTransaction;
        if (transaction is not null && ReferenceEquals(transaction, _touchedIn))
            return;
        var tenantId = RequireTenant();
        var updated = Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdate(s => s.SetProperty(t => t.DataVersion, t => t.DataVersion + 1));
        EnsureTouched(updated);
        _touchedIn = transaction;
        _changedTenant = tenantId;
        MarkIdempotentExecution();
    }

    /// <summary>
    /// True when this save must record, in its own transaction, that the request holding an Idempotency-Key
    /// changed something: the request's claim is then marked executed together with the write, so a retry never
    /// runs it twice, even when the request's answer could not be kept (the database went away right after the
    /// commit). Contexts outside a request with a claim (workers, the idempotency store itself) never mark.
    /// </summary>
    private bool MarksIdempotentExecution() => idempotency?.Id is not null && ChangeTracker.HasChanges();

    /// <summary>Marks the request's idempotency claim executed, in the current transaction (a no-op without a claim).</summary>
    public async Task MarkIdempotentExecutionAsync(CancellationToken ct)
    {
        if (idempotency?.Id is not { } claimId)
            return;
        var now = Now(clock);
        await IdempotencyRecords.Where(r => r.Id == claimId && r.ExecutedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExecutedAt, now), ct);
    }

    private void MarkIdempotentExecution()
    {
        if (idempotency?.Id is not { } claimId)
            return;
        var now = Now(clock);
        IdempotencyRecords.Where(r => r.Id == claimId && r.ExecutedAt == null)
            .ExecuteUpdate(s => s.SetProperty(r => r.ExecutedAt, now));
    }

    // The tenant whose data version this context raised in its current transaction: announced to every
    // instance when the transaction commits (Tenancy.TenantChangeInterceptor), forgotten if it rolls back.
    private Guid? _changedTenant;

    /// <summary>The tenant whose data this context changed since the last call, if any.</summary>
    public Guid? TakeChangedTenant()
    {
        var changed = _changedTenant;
        _changedTenant = null;
        return changed;
    }

    private Guid RequireTenant() => tenant.IsResolved
        ? tenant.TenantId
        : throw new InvalidOperationException("A tenant's data cannot be written outside a tenant's request.");

    private static void EnsureTouched(int updated)
    {
        if (updated != 1)
            throw new InvalidOperationException("The tenant of this request does not exist.");
    }

    /// <summary>Stamps tenant, timestamps and version on the changed tenant-owned records; true when any changed.</summary>
    private bool StampTenantOwned()
    {
        var now = Now(clock);
        StampTenantSettings(now);
        var changed = false;
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
                    changed = true;
                    break;
                case EntityState.Modified:
                    if (entry.Entity.TenantId != tenant.TenantId)
                        throw new InvalidOperationException("A record cannot change tenant.");
                    entry.Property(e => e.TenantId).IsModified = false;
                    entry.Property(e => e.CreatedAt).IsModified = false;
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.Version++;
                    changed = true;
                    break;
                case EntityState.Deleted:
                    changed = true;
                    break;
            }
        }
        return changed;
    }

    /// <summary>
    /// Stamps tenant, timestamps and version on changed settings (webhook endpoints, alert rules, peer-benchmark settings). They are
    /// not KPI inputs, so they do not count as a data change. A worker that only records a rule's state
    /// writes it with ExecuteUpdate, so that the rule's version (its ETag) moves only when its owner edits it.
    /// </summary>
    private void StampTenantSettings(DateTime now)
    {
        foreach (var entry in ChangeTracker.Entries<TenantSetting>())
        {
            switch (entry.State)
            {
                case EntityState.Added:
                    if (!tenant.IsResolved)
                        throw new InvalidOperationException("A tenant's setting cannot be saved outside a tenant's request.");
                    entry.Entity.TenantId = tenant.TenantId;
                    entry.Entity.CreatedAt = now;
                    entry.Entity.UpdatedAt = now;
                    entry.Entity.Version = 1;
                    break;
                case EntityState.Modified:
                    if (entry.Entity.TenantId != tenant.TenantId)
                        throw new InvalidOperationException("A setting cannot change tenant.");
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
