namespace B2BKpiApi.Metrics;

/// <summary>The survey KPIs, each over the answers of its kind with <c>respondedOn</c> in P (both ends inclusive).</summary>
internal static class SurveyKpis
{
    private static readonly FactFamily[] SurveysOnly = [FactFamily.Surveys];

    /// <summary><c>(promoters − detractors) / answers × 100</c>; denominator every nps answer in P, passives included.</summary>
    public static readonly KpiFormula NetPromoterScore = new(
        new KpiDefinition(
            KpiIds.NetPromoterScore, 1, "Net Promoter Score",
            "Over the nps answers with respondedOn in the period (both inclusive): (promoters scoring 9–10 − detractors " +
            "scoring 0–6) / all answers × 100, a score from −100 to 100; passives (7–8) count in the denominator only. " +
            "Every answer counts, several from one client too. Undefined (no-nps-answers) without answers. " +
            "The sample is the answers; below 30 it is small. Customer perspective; leading (loyalty precedes renewals).",
            "%promoters (9–10) − %detractors (0–6)",
            Unit.Score, Direction.HigherIsBetter, Perspective.Customer, Timing.Leading, SurveysOnly, -100, 100),
        f =>
        {
            var s = Facts.Surveys(f);
            var answers = s.NpsPromoters + s.NpsPassives + s.NpsDetractors;
            return Measurement.Percentage(s.NpsPromoters - s.NpsDetractors, answers, KpiReasons.NoNpsAnswers,
                    new("promoters", s.NpsPromoters), new("passives", s.NpsPassives),
                    new("detractors", s.NpsDetractors), new("npsAnswers", answers))
                .WithSample(answers);
        });

    /// <summary><c>satisfied / answers × 100</c>; denominator every csat answer in P.</summary>
    public static readonly KpiFormula CustomerSatisfactionScore = new(
        new KpiDefinition(
            KpiIds.CustomerSatisfactionScore, 1, "CSAT",
            "The share of csat answers with respondedOn in the period (both inclusive) that score 4 or 5 on the 1–5 scale, " +
            "× 100. Undefined (no-csat-answers) without answers. The sample is the answers; below 30 it is small. " +
            "Customer perspective; leading.",
            "answers scoring 4 or 5 / answers × 100",
            Unit.Percent, Direction.HigherIsBetter, Perspective.Customer, Timing.Leading, SurveysOnly, 0, 100),
        f =>
        {
            var s = Facts.Surveys(f);
            return Measurement.Percentage(s.CsatSatisfied, s.CsatAnswers, KpiReasons.NoCsatAnswers,
                    new("satisfiedAnswers", s.CsatSatisfied), new("csatAnswers", s.CsatAnswers))
                .WithSample(s.CsatAnswers);
        });

    /// <summary><c>Σ score / answers</c>; denominator every ces answer in P.</summary>
    public static readonly KpiFormula CustomerEffortScore = new(
        new KpiDefinition(
            KpiIds.CustomerEffortScore, 1, "CES",
            "The mean score of the ces answers with respondedOn in the period (both inclusive), from 1 (hardest) to 7 " +
            "(easiest), so higher is better. Undefined (no-ces-answers) without answers. The sample is the answers; " +
            "below 30 it is small. Customer perspective; leading.",
            "Σ score / answers",
            Unit.Score, Direction.HigherIsBetter, Perspective.Customer, Timing.Leading, SurveysOnly, 1, 7),
        f =>
        {
            var s = Facts.Surveys(f);
            return Measurement.Quotient(s.CesScoreSum, s.CesAnswers, KpiReasons.NoCesAnswers,
                    new("cesScoreSum", s.CesScoreSum), new("cesAnswers", s.CesAnswers))
                .WithSample(s.CesAnswers);
        });
}
