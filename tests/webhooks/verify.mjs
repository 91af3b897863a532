// Verifies one received webhook with the Standard Webhooks reference library (npm `standardwebhooks`), not with
// the API's own code. Reads {"secret": "whsec_…", "headers": {...}, "body": "…"} on stdin; prints "verified" and
// exits 0, or prints "refused: <reason>" and exits 1. Used by tests/B2BKpiApi.Tests/Webhooks.
import { Webhook } from "standardwebhooks";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { secret, headers, body } = JSON.parse(input);
try {
  new Webhook(secret).verify(body, headers);
  console.log("verified");
} catch (e) {
  console.log(`refused: ${e.message}`);
  process.exit(1);
}
