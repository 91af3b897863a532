namespace B2BKpiApi.Metrics;

/// <summary>The KPIs of recognized revenue, ARR and signed contracts.</summary>
internal static class RevenueKpis
{
    private static readonly FactFamily[] RevenueOnly = [FactFamily.Revenue];

    /// <summary>
    /// <c>Σ ARR(to) / Σ ARR(start) × 100</c> over the clients with ARR &gt; 0 on the day before <c>from</c>;
    /// denominator their ARR on that day.
    /// </summary>
    public static readonly KpiFormula NetRevenueRetention = new(
        new KpiDefinition(
            KpiIds.NetRevenueRetention, 1, "Net revenue retention",
            "Over the clients with ARR > 0 on the day before the period (the start cohort): their ARR on `to` / their ARR " +
            "on that day × 100. ARR comes from contracts alone (value / days of term × 365 over the contracts running " +
            "that day), so a running contract counts even if its client has churned; clients that first hold ARR during " +
            "the period are not in the cohort. Undefined (no-arr-at-period-start) when the cohort is empty. " +
            "Customer perspective (it measures how existing clients' spend develops); lagging.",
            "Σ ARR(to) / Σ ARR(start) × 100, over the clients with ARR(start) > 0",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Customer, Timing.Lagging, RevenueOnly, 0, null),
        f =>
        {
            var r = Facts.Revenue(f);
            return Measurement.Percentage(r.NrrCurrentArr, r.NrrBaseArr, KpiReasons.NoArrAtPeriodStart,
                new("cohortArrAtEnd", r.NrrCurrentArr), new("cohortArrAtStart", r.NrrBaseArr));
        });

    /// <summary><c>Σ ARR(to)</c> over the clients of E <c>/ E</c>; denominator E, the clients active on <c>to</c>.</summary>
    public static readonly KpiFormula ArrPerClient = new(
        new KpiDefinition(
            KpiIds.ArrPerClient, 1, "ARR per client (customer productivity)",
            "The ARR on `to` of the clients active on `to` (E), divided by E: seed 003's \"customer productivity\". " +
            "An active client without a running contract counts in E with ARR 0; contracts of clients not active on `to` " +
            "are left out. Undefined (no-active-clients) when E = 0. Learning & growth perspective: that perspective " +
            "tracks the organisation's productivity, and with no employee data the revenue each client relationship " +
            "yields is the productivity measure the seeds give; lagging.",
            "Σ ARR(to) over E / E",
            Unit.Money, Direction.HigherIsBetter, Perspective.LearningGrowth, Timing.Lagging,
            [FactFamily.Revenue, FactFamily.Clients], 0, null),
        f =>
        {
            var r = Facts.Revenue(f);
            var c = Facts.Clients(f);
            return Measurement.Quotient(r.ArrAtEnd, c.AtEnd, KpiReasons.NoActiveClients,
                new("arrAtEnd", r.ArrAtEnd), new("clientsAtEnd", c.AtEnd));
        });

    /// <summary><c>R</c>: revenue recognized in P (both ends inclusive). A sum, never undefined.</summary>
    public static readonly KpiFormula Revenue = new(
        new KpiDefinition(
            KpiIds.Revenue, 1, "Recognized revenue",
            "R: each contract's value spread evenly per day over its term (startsOn..endsOn, both inclusive), summed over " +
            "the days of the term inside the period (both inclusive), whether or not the client has churned. " +
            "A sum of nothing is 0. Inputs that re-derive it by hand: contracts (the contracts whose term overlaps the " +
            "period), recognizedDays (the days of their terms inside the period), and per term length L in days, " +
            "terms.L.contracts, terms.L.recognizedDays and terms.L.valueDays (Σ value × days inside the period): " +
            "revenue = Σ over L of terms.L.valueDays / L. The " + RevenueInputs.ListedTermLengths + " term lengths that " +
            "recognize the most are listed; the others are summed into terms.other.contracts, terms.other.recognizedDays " +
            "and terms.other.revenue. Financial perspective; lagging.",
            "R = Σ value / days(term) × days of the term inside P",
            Unit.Money, Direction.HigherIsBetter, Perspective.Financial, Timing.Lagging, RevenueOnly, 0, null),
        f => Measurement.Defined(Facts.Revenue(f).Revenue, RevenueInputs.Of(Facts.Revenue(f))));

    /// <summary><c>(R − Rprev) / Rprev × 100</c>; denominator Rprev, revenue of the previous period of the same length.</summary>
    public static readonly KpiFormula RevenueGrowthRate = new(
        new KpiDefinition(
            KpiIds.RevenueGrowthRate, 1, "Revenue growth rate",
            "(R − Rprev) / Rprev × 100, where Rprev is the revenue recognized in the previous period: the period of the same " +
            "number of days ending the day before `from`. Negative when revenue fell (−100 at the least). " +
            "Undefined (no-revenue-in-previous-period) when Rprev = 0. Financial perspective; lagging.",
            "(R − Rprev) / Rprev × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Financial, Timing.Lagging, RevenueOnly, -100, null),
        f =>
        {
            var r = Facts.Revenue(f);
            return Measurement.Percentage(r.Revenue - r.PreviousRevenue, r.PreviousRevenue, KpiReasons.NoRevenueInPreviousPeriod,
                new("revenue", r.Revenue), new("previousRevenue", r.PreviousRevenue));
        });

    /// <summary><c>Σ value / count</c> over contracts with <c>signedOn</c> in P (both ends inclusive); denominator that count.</summary>
    public static readonly KpiFormula AverageContractValue = new(
        new KpiDefinition(
            KpiIds.AverageContractValue, 1, "Average contract value",
            "Σ value / count over the contracts with signedOn in the period (both inclusive), of every kind (new, renewal, " +
            "expansion) and term length, the whole contract value (not annualised). Undefined (no-contracts-signed) when " +
            "none was signed. Financial perspective; lagging.",
            "Σ value / count, over contracts with signedOn in P",
            Unit.Money, Direction.HigherIsBetter, Perspective.Financial, Timing.Lagging, RevenueOnly, 0, null),
        f =>
        {
            var r = Facts.Revenue(f);
            return Measurement.Quotient(r.ContractsSignedValue, r.ContractsSigned, KpiReasons.NoContractsSigned,
                new("contractsSignedValue", r.ContractsSignedValue), new("contractsSigned", r.ContractsSigned));
        });
}

/// <summary>The inputs of <c>revenue</c>: R, and what re-derives it by hand (<see cref="RevenueRecognition"/>).</summary>
internal static class RevenueInputs
{
    /// <summary>At most this many term lengths are listed one by one, so that the inputs stay short whatever the data.</summary>
    public const int ListedTermLengths = 12;

    public static KpiInput[] Of(RevenueFacts r)
    {
        var inputs = new List<KpiInput> { new("revenue", r.Revenue) };
        if (r.Recognition is not { } recognition)
            return [.. inputs];
        inputs.Add(new("contracts", recognition.Contracts));
        inputs.Add(new("recognizedDays", recognition.RecognizedDays));
        var listed = recognition.ByTermLength
            .OrderByDescending(t => t.Revenue).ThenBy(t => t.TermDays)
            .Take(ListedTermLengths)
            .OrderBy(t => t.TermDays)
            .ToList();
        foreach (var t in listed)
        {
            var prefix = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"terms.{t.TermDays}.");
            inputs.Add(new(prefix + "contracts", t.Contracts));
            inputs.Add(new(prefix + "recognizedDays", t.RecognizedDays));
            inputs.Add(new(prefix + "valueDays", t.ValueDays));
        }
        var others = recognition.ByTermLength.Except(listed).ToList();
        if (others.Count > 0)
        {
            inputs.Add(new("terms.other.contracts", others.Sum(t => t.Contracts)));
            inputs.Add(new("terms.other.recognizedDays", others.Sum(t => t.RecognizedDays)));
            inputs.Add(new("terms.other.revenue", others.Sum(t => t.Revenue)));
        }
        return [.. inputs];
    }
}
