using FsCheck;
using FsCheck.Fluent;

namespace B2BKpiApi.Metrics.Tests;

/// <summary>Random but valid records (the shape rules of kpis.md hold) over 2023–2026, leap year 2024 included.</summary>
public static class Generators
{
    private static readonly DateOnly Origin = new(2023, 1, 1);

    public static Gen<DateOnly> Day { get; } = Gen.Choose(0, 3 * 365).Select(Origin.AddDays);

    public static Gen<Metrics.Period> Period { get; } =
        from first in Day
        from length in Gen.Choose(1, 400)
        select new Period(first, first.AddDays(length - 1));

    public static Gen<decimal> Money { get; } = Gen.Choose(1, 5_000_000).Select(cents => cents / 100m);

    private static Gen<DateOnly?> MaybeAfter(DateOnly day, int maxDays) =>
        Gen.Frequency((1, Gen.Constant<DateOnly?>(null)), (2, Gen.Choose(0, maxDays).Select(d => (DateOnly?)day.AddDays(d))));

    public static Gen<ClientRecord> Client { get; } =
        from acquiredOn in Day
        from churnedOn in MaybeAfter(acquiredOn, 500)
        select new ClientRecord(Guid.NewGuid(), acquiredOn, churnedOn, null, null);

    private static Gen<ContractRecord> ContractOf(Guid clientId) =>
        from startsOn in Day
        from length in Gen.Choose(1, 800)
        from signedBefore in Gen.Choose(0, 30)
        from value in Money
        select new ContractRecord(clientId, startsOn.AddDays(-signedBefore), startsOn, startsOn.AddDays(length - 1), value);

    public static Gen<LeadRecord> Lead { get; } =
        from createdOn in Day
        from qualifiedOn in MaybeAfter(createdOn, 60)
        from opportunityOn in qualifiedOn is { } q ? MaybeAfter(q, 60) : Gen.Constant<DateOnly?>(null)
        from closedOn in MaybeAfter(opportunityOn ?? qualifiedOn ?? createdOn, 120)
        from won in Gen.Elements(true, false)
        from dealValue in Money
        select new LeadRecord(createdOn, qualifiedOn, opportunityOn, closedOn,
            closedOn is null ? null : won, closedOn is not null && won ? dealValue : null, null);

    public static Gen<SurveyRecord> Survey { get; } = SurveyOf(null);

    private static readonly string?[] Roles = ["economic-buyer", "technical-buyer", "user", "gatekeeper", "other", null];

    /// <summary>An answer of <paramref name="clientId"/> (or of no client), with any respondent role or none.</summary>
    private static Gen<SurveyRecord> SurveyOf(Guid? clientId) =>
        from kind in Gen.Elements("nps", "csat", "ces")
        from score in kind switch { "nps" => Gen.Choose(0, 10), "csat" => Gen.Choose(1, 5), _ => Gen.Choose(1, 7) }
        from respondedOn in Day
        from role in Gen.Elements(Roles)
        select new SurveyRecord(kind, score, respondedOn, clientId, role);

    public static Gen<CostRecord> Cost { get; } =
        from category in Gen.Elements("cogs", "direct-labor", "sales", "marketing", "overhead")
        from amount in Money
        from incurredOn in Day
        select new CostRecord(category, amount, incurredOn);

    public static Gen<TenantRecords> Tenant { get; } =
        from clients in Gen.ListOf(Client)
        from contracts in clients.Count == 0
            ? Gen.Constant<List<ContractRecord>>([])
            : Gen.ListOf(Gen.Elements(clients.Select(c => c.Id).ToArray()).SelectMany(ContractOf))
        from leads in Gen.ListOf(Lead)
        from surveys in Gen.ListOf(clients.Count == 0
            ? SurveyOf(null)
            : Gen.Elements(clients.Select(c => (Guid?)c.Id).Append(null).ToArray()).SelectMany(SurveyOf))
        from costs in Gen.ListOf(Cost)
        select Records(clients, contracts, leads, surveys, costs);

    /// <summary>A tenant's records and a period to compute them over.</summary>
    public static Arbitrary<(TenantRecords Data, Period Period)> TenantAndPeriod { get; } =
        Gen.Zip(Tenant, Period).ToArbitrary();
}
