using B2BKpiApi.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace B2BKpiApi.Features.Resources;

/// <summary>How a save ended when another request may have got there first.</summary>
public enum Saved { Yes, DuplicateExternalId, ChangedMeanwhile, ReferenceBroken }

/// <summary>The existence and conflict rules every resource operation shares (shape rules are in the validators).</summary>
public static class ResourceChecks
{
    public const string NoSuchClient = "No client with this id belongs to the tenant.";

    public static async Task<ValidationProblem?> MissingClient<TEntity>(KpiDbContext db, IResourceRequest<TEntity> request, CancellationToken ct) =>
        request.ReferencedClientId is { } clientId && !await db.Clients.AnyAsync(c => c.Id == clientId, ct)
            ? Problems.Invalid("clientId", NoSuchClient)
            : null;

    /// <summary>
    /// The positions of the items that name a client the tenant does not have. <paramref name="found"/>, when given,
    /// holds clients an earlier check of the same transaction found, which are not looked up again, and receives
    /// the ones found now: a streamed import checks chunk after chunk, and once its records reference a client
    /// that client cannot be deleted before the import commits (SQLite: the import holds the write lock;
    /// PostgreSQL: the inserted rows' foreign keys lock it).
    /// </summary>
    public static async Task<List<int>> MissingClients<TEntity>(KpiDbContext db, IReadOnlyList<IResourceRequest<TEntity>> items,
        CancellationToken ct, HashSet<Guid>? found = null)
    {
        found ??= [];
        var clientIds = items.Select(r => r.ReferencedClientId).OfType<Guid>().Where(id => !found.Contains(id)).Distinct().ToList();
        if (clientIds.Count > 0)
            found.UnionWith(await db.Clients.Where(c => clientIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct));
        return Enumerable.Range(0, items.Count).Where(i => items[i].ReferencedClientId is { } id && !found.Contains(id)).ToList();
    }

    public static ProblemHttpResult ExternalIdTaken(string? externalId) =>
        Problems.Conflict($"The externalId '{externalId}' is already used by another record of this kind; " +
                          "use PUT on that record, or the batch endpoint to upsert by externalId.");

    /// <summary>Seconds a caller that lost a write race is asked to wait before it sends the same request again.</summary>
    public const int LostRaceRetryAfterSeconds = 1;

    public const string LostRaceRule = "Writers of one tenant are serialized; should another request still win a race for the same " +
                                       "records (a client deleted meanwhile), the answer is a 409 with `Retry-After`: nothing was stored and the same request may be sent again.";

    /// <summary>A conflict with a concurrent request, not a fault of the request: 409 with Retry-After, retryable as it is.</summary>
    public static ProblemHttpResult LostRace(HttpResponse response, string what)
    {
        response.Headers.RetryAfter = LostRaceRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Problems.Conflict($"Another request changed these records at the same time; nothing of this {what} was stored. " +
                                 $"Send the same {what} again after {LostRaceRetryAfterSeconds} second.");
    }

    public static ProblemHttpResult ChangedMeanwhile() =>
        Problems.Conflict("Another request changed or deleted this record at the same time; read it again and retry.");

    /// <summary>Saves, and says which race was lost when another request got there first.</summary>
    public static async Task<Saved> TrySave(KpiDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return Saved.Yes;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return Saved.ChangedMeanwhile;
        }
        catch (DbUpdateException e) when (Database.IsUniqueViolation(e) || Database.IsForeignKeyViolation(e))
        {
            db.ChangeTracker.Clear();
            return Database.IsUniqueViolation(e) ? Saved.DuplicateExternalId : Saved.ReferenceBroken;
        }
    }
}
