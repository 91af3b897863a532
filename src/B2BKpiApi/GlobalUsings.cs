// The cross-cutting folders every feature leans on.
global using B2BKpiApi.Csv;
global using B2BKpiApi.Errors;
global using B2BKpiApi.Hosting;
global using B2BKpiApi.Idempotency;
global using B2BKpiApi.Json;
global using B2BKpiApi.OpenApi;
global using B2BKpiApi.Paging;
global using B2BKpiApi.Tenancy;
global using B2BKpiApi.Validation;
global using B2BKpiApi.Webhooks;

