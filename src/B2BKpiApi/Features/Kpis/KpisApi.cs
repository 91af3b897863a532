namespace B2BKpiApi.Features.Kpis;

public static class KpisApi
{
    public static RouteGroupBuilder MapKpis(this RouteGroupBuilder v1)
    {
        var kpis = v1.MapGroup("/kpis").WithTags("Kpis");
        ListKpis.Map(kpis);
        GetKpi.Map(kpis);
        GetKpiSeries.Map(kpis);
        GetScorecard.Map(v1);
        ListBenchmarks.Map(v1);
        return kpis;
    }
}
