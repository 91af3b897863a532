/**
 * Typed client for the B2B KPI API v1.
 *
 * `schema.d.ts` is generated from the committed OpenAPI document (`npm run generate`) and checked by
 * `npm run check`; this file only adds a small factory over openapi-fetch that sends the API key.
 *
 *   const kpi = createKpiClient("https://kpi.example.com", process.env.KPI_KEY!);
 *   const { data, error, response } = await kpi.GET("/v1/kpis/{id}", {
 *     params: { path: { id: "revenue" }, query: { from: "2025-01-01", to: "2025-03-31" } },
 *   });
 *
 * Every call resolves (it does not throw on 4xx/5xx): `data` is the typed success body, `error` the
 * typed problem details (`application/problem+json`), `response` the raw fetch Response.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** Every schema of the document, by name: `Schemas["ClientRequest"]`. */
export type Schemas = components["schemas"];
export type ClientRequest = Schemas["ClientRequest"];
export type ClientResponse = Schemas["ClientResponse"];
export type ContractRequest = Schemas["ContractRequest"];
export type ContractResponse = Schemas["ContractResponse"];
export type LeadRequest = Schemas["LeadRequest"];
export type LeadResponse = Schemas["LeadResponse"];
export type SurveyRequest = Schemas["SurveyRequest"];
export type SurveyResponse = Schemas["SurveyResponse"];
export type CostRequest = Schemas["CostRequest"];
export type CostResponse = Schemas["CostResponse"];
export type KpiResult = Schemas["KpiResultResponse"];
export type KpiId = operations["GetKpi"]["parameters"]["path"]["id"];
/** RFC 9457 problem details; the API adds a `traceId` to every problem. */
export type ProblemDetails = Schemas["ProblemDetails"] & { traceId?: string };
/** A 400 problem: `errors` maps each failing field (`items[3].score` in a batch) to its messages. */
export type ValidationProblemDetails = Schemas["HttpValidationProblemDetails"] & { traceId?: string };

export type KpiClient = Client<paths>;

export interface KpiClientOptions {
  /** A fetch implementation (tests, proxies, retries); the global fetch by default. */
  fetch?: ClientOptions["fetch"];
  /** Extra headers sent with every request (X-Api-Key is always the `apiKey` argument). */
  headers?: Record<string, string>;
}

/**
 * A client for the API at `baseUrl` (the server root, e.g. `https://kpi.example.com`: the paths
 * already start with `/v1`) that sends `apiKey` as `X-Api-Key` on every request: a tenant's key, or
 * the operator's key for `POST /v1/tenants` and `GET /v1/tenants/{id}`.
 */
export function createKpiClient(baseUrl: string, apiKey: string, options: KpiClientOptions = {}): KpiClient {
  if (!baseUrl) throw new TypeError("createKpiClient: baseUrl is required");
  if (!apiKey) throw new TypeError("createKpiClient: apiKey is required");
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    fetch: options.fetch,
    headers: { ...options.headers, "X-Api-Key": apiKey },
  });
}

/** True when `error` is a validation problem (a 400 with `errors`). */
export function isValidationProblem(error: unknown): error is ValidationProblemDetails {
  return typeof error === "object" && error !== null && typeof (error as { errors?: unknown }).errors === "object"
    && (error as { errors?: unknown }).errors !== null;
}
