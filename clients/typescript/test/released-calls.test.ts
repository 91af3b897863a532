// Calls written for the released contract (openapi/released/v1.json), type-checked against the client generated
// now by `npm test` (tsc --noEmit runs first). openapi-fetch takes one options object per call ({ params: { path,
// query, header }, body, signal }), so an optional parameter added since (compare, If-Match, peers...) is one more
// optional property: no released call changes meaning or stops compiling. Only a new *required* parameter could
// break one, and the breaking-change check refuses that.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { KpiClient } from "../src/index.ts";

export async function releasedCalls(api: KpiClient, signal: AbortSignal, id: string) {
  await api.GET("/v1/kpis/{id}", {
    params: { path: { id: "revenue" }, query: { from: "2025-01-01", to: "2025-03-31", industry: "retail" } }, signal,
  });
  await api.GET("/v1/kpis/{id}/series", {
    params: { path: { id: "revenue" }, query: { from: "2025-01-01", to: "2025-12-31", interval: "month" } }, signal,
  });
  await api.GET("/v1/scorecard", { params: { query: { from: "2025-01-01", to: "2025-03-31" } }, signal });
  await api.PUT("/v1/clients/{id}", { params: { path: { id } }, body: { name: "Initech", acquiredOn: "2024-06-01" }, signal });
  await api.DELETE("/v1/clients/{id}", { params: { path: { id } }, signal });
  await api.GET("/v1/clients", { params: { query: { limit: 10 } }, signal });
}

test("calls written for the released contract type-check against the current client", () => {
  assert.equal(typeof releasedCalls, "function");
});
