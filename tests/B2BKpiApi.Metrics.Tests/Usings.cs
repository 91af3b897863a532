global using B2BKpiApi.Metrics;
global using B2BKpiApi.Metrics.Reference;
global using static B2BKpiApi.Metrics.Tests.Given;
