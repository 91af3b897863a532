using B2BKpiApi.Alerts;
using B2BKpiApi.Features.Kpis;

namespace B2BKpiApi.Tests.Alerts;

/// <summary>The calendar periods of each window, the events of each transition, and the edges of the conditions.</summary>
public sealed class AlertRulesUnitTests
{
    public static TheoryData<AlertWindow, bool, string, string, string, string, string> Windows => new()
    {
        // window, toDate, today, evaluated from..to, compared from..to
        { AlertWindow.Month, false, "2026-05-14", "2026-04-01", "2026-04-30", "2026-03-01", "2026-03-31" },
        { AlertWindow.Month, false, "2026-01-10", "2025-12-01", "2025-12-31", "2025-11-01", "2025-11-30" },
        { AlertWindow.Month, false, "2026-03-01", "2026-02-01", "2026-02-28", "2026-01-01", "2026-01-31" },
        { AlertWindow.Quarter, false, "2026-05-14", "2026-01-01", "2026-03-31", "2025-10-01", "2025-12-31" },
        { AlertWindow.Year, false, "2026-05-14", "2025-01-01", "2025-12-31", "2024-01-01", "2024-12-31" },
        { AlertWindow.Month, true, "2026-05-14", "2026-05-01", "2026-05-14", "2026-04-01", "2026-04-14" },
        // The 31st of March against February: as many days as February has.
        { AlertWindow.Month, true, "2026-03-31", "2026-03-01", "2026-03-31", "2026-02-01", "2026-02-28" },
        { AlertWindow.Quarter, true, "2026-05-14", "2026-04-01", "2026-05-14", "2026-01-01", "2026-02-13" },
        { AlertWindow.Year, true, "2024-12-31", "2024-01-01", "2024-12-31", "2023-01-01", "2023-12-31" },
        { AlertWindow.Month, true, "2026-06-01", "2026-06-01", "2026-06-01", "2026-05-01", "2026-05-01" },
    };

    [Theory]
    [MemberData(nameof(Windows))]
    public void Each_window_evaluates_a_calendar_period_and_compares_it_with_the_one_before(
        AlertWindow window, bool toDate, string today, string from, string to, string previousFrom, string previousTo)
    {
        var (current, previous) = AlertPeriods.For(window, toDate, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal($"{from}..{to}", current.ToString());
        Assert.Equal($"{previousFrom}..{previousTo}", previous.ToString());
    }

    [Theory]
    [InlineData(AlertState.Pending, AlertState.Firing, "kpi.alert.triggered")]
    [InlineData(AlertState.Ok, AlertState.Firing, "kpi.alert.triggered")]
    [InlineData(AlertState.NoData, AlertState.Firing, "kpi.alert.triggered")]
    [InlineData(AlertState.Firing, AlertState.Ok, "kpi.alert.resolved")]
    [InlineData(AlertState.Firing, AlertState.NoData, "kpi.alert.resolved")]
    [InlineData(AlertState.Firing, AlertState.Firing, null)]
    [InlineData(AlertState.Pending, AlertState.Ok, null)]
    [InlineData(AlertState.Pending, AlertState.NoData, null)]
    [InlineData(AlertState.Ok, AlertState.NoData, null)]
    [InlineData(AlertState.NoData, AlertState.Ok, null)]
    [InlineData(AlertState.Ok, AlertState.Ok, null)]
    public void An_event_is_emitted_only_when_a_firing_spell_starts_or_ends(AlertState before, AlertState after, string? expected) =>
        Assert.Equal(expected, AlertEvaluator.EventOf(before, after));

    private static KpiResultResponse Result(decimal? value, string? reason = null) => new(
        "new-clients", 1, new PeriodResponse(new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 31)), value, "count", null, reason,
        new Dictionary<string, decimal?>(), null,
        new PreviousResponse(new PeriodResponse(new DateOnly(2026, 1, 29), new DateOnly(2026, 2, 28)), null, null), null,
        new BenchmarkComparisonResponse("seed-2025", 1, null, [], "no-benchmark-for-kpi"));

    public static TheoryData<decimal, decimal, decimal, AlertChangeUnit, AlertState> Changes => new()
    {
        // previous, current, by, unit, state
        { 10m, 12m, 2m, AlertChangeUnit.Points, AlertState.Firing },     // exactly the change asked for fires
        { 10m, 11.99m, 2m, AlertChangeUnit.Points, AlertState.Ok },
        { 10m, 5m, 2m, AlertChangeUnit.Points, AlertState.Ok },          // a fall is not a rise
        { 10m, 8m, -2m, AlertChangeUnit.Points, AlertState.Firing },
        { 10m, 15m, 50m, AlertChangeUnit.Percent, AlertState.Firing },
        { 10m, 14.99m, 50m, AlertChangeUnit.Percent, AlertState.Ok },
        { -10m, -5m, 50m, AlertChangeUnit.Percent, AlertState.Firing },  // relative to |previous|: -10 → -5 is a rise of 50 %
        { 10m, 7m, -30m, AlertChangeUnit.Percent, AlertState.Firing },
        { 0m, 5m, 10m, AlertChangeUnit.Percent, AlertState.NoData },     // a change in percent of 0 is undefined
        { 0m, 5m, 5m, AlertChangeUnit.Points, AlertState.Firing },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Change_compares_with_the_previous_period_in_points_or_percent(decimal previous, decimal current, decimal by, AlertChangeUnit unit,
        AlertState expected)
    {
        var outcome = AlertConditions.Judge(new AlertCondition(AlertConditionType.Change, null, by, unit), Result(current), Result(previous));
        Assert.Equal(expected, outcome.State);
    }

    [Fact]
    public void Thresholds_are_strict_and_a_missing_value_is_no_data()
    {
        var above = new AlertCondition(AlertConditionType.Above, 10m, null, null);
        var below = new AlertCondition(AlertConditionType.Below, 10m, null, null);
        Assert.Equal(AlertState.Ok, AlertConditions.Judge(above, Result(10m), Result(1m)).State);
        Assert.Equal(AlertState.Firing, AlertConditions.Judge(above, Result(10.01m), Result(1m)).State);
        Assert.Equal(AlertState.Ok, AlertConditions.Judge(below, Result(10m), Result(1m)).State);
        Assert.Equal(AlertState.Firing, AlertConditions.Judge(below, Result(9.99m), Result(1m)).State);
        var none = AlertConditions.Judge(above, Result(null, "no-clients-at-period-start"), Result(1m));
        Assert.Equal(AlertState.NoData, none.State);
        Assert.Contains("no-clients-at-period-start", none.Why, StringComparison.Ordinal);
        Assert.Equal(AlertState.NoData,
            AlertConditions.Judge(new AlertCondition(AlertConditionType.Change, null, 1m, AlertChangeUnit.Points), Result(5m), Result(null, "x")).State);
    }
}
