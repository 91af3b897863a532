// The KPI dashboard in a real browser: Debian's chromium driven by playwright-core, against a live API.
//
//   KPI_BASE_URL=http://127.0.0.1:5350 KPI_ADMIN_KEY=... node --test dashboard.test.mjs
//
// Seeds a tenant with known data through the API, then checks what a user sees against what the API
// answers: every scorecard number to the cent, null KPIs with their reason, the monthly series drawn on
// the chart, the inputs table, errors in words (401, 400, 429), the layout at 1280 px and 390 px, the
// key kept in sessionStorage only and sent only to this origin, the CSP, and axe-core's verdict.
// Screenshots go to $SCREENSHOT_DIR (default: docs/screenshots).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const baseUrl = process.env.KPI_BASE_URL;
const adminKey = process.env.KPI_ADMIN_KEY;
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const screenshots = resolve(process.env.SCREENSHOT_DIR ?? join(here, "..", "..", "docs", "screenshots"));
const axeSource = readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
const FROM = "2025-01-01", TO = "2025-03-31";

if (!baseUrl || !adminKey) {
  // Under CI a missing setting is a failure, not a skip (the check script always sets both).
  test("KPI_BASE_URL and KPI_ADMIN_KEY are set", { skip: process.env.CI ? false : "no live API configured" }, () => {
    assert.fail("KPI_BASE_URL and KPI_ADMIN_KEY must name a live API and its operator key");
  });
} else {
  describe("KPI dashboard", () => {
    let context, userDataDir, tenant;
    const consoleProblems = [];

    before(async () => {
      assert.ok(existsSync(chromiumPath), `chromium not found at ${chromiumPath} (apt-get install -y chromium)`);
      tenant = await seedTenant();
      userDataDir = mkdtempSync(join(tmpdir(), "kpi-dashboard-chromium-"));
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: chromiumPath,
        headless: true,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync"],
        viewport: { width: 1280, height: 900 },
        locale: "en-US",
        timezoneId: "UTC",
      });
      context.on("console", (m) => { if (m.type() === "error") consoleProblems.push(m.text()); });
      mkdirSync(screenshots, { recursive: true });
    });

    after(async () => {
      await context?.close();
      if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    });

    async function openPage(viewport = { width: 1280, height: 900 }) {
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on("pageerror", (e) => consoleProblems.push(`pageerror: ${e.message}`));
      const response = await page.goto(`${baseUrl}/dashboard/`);
      assert.equal(response.status(), 200);
      await page.evaluate(() => sessionStorage.clear());
      return { page, response };
    }

    async function showScorecard(page, key, from = FROM, to = TO) {
      await page.fill("#api-key", key);
      await page.selectOption("#preset", "custom");
      await page.fill("#from", from);
      await page.fill("#to", to);
      await page.click("#show");
    }

    test("the page is served with a strict Content-Security-Policy and no inline script", async () => {
      const { page, response } = await openPage();
      const csp = response.headers()["content-security-policy"];
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /connect-src 'self'(;|$)/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(response.headers()["x-content-type-options"], "nosniff");
      const inline = await page.evaluate(() => [...document.scripts].filter((s) => !s.src).length);
      assert.equal(inline, 0);
      const external = await page.evaluate(() => [...document.querySelectorAll("script[src], link[rel=stylesheet]")]
        .map((e) => new URL(e.src || e.href).origin).filter((o) => o !== location.origin));
      assert.deepEqual(external, [], "every script and stylesheet comes from this origin (no CDN)");
      await page.close();
    });

    test("a wrong key shows a clear message", async () => {
      const { page } = await openPage();
      await showScorecard(page, "kpi_00000000000000000000000000000000_wrong");
      const message = page.locator("#message");
      await message.waitFor({ state: "visible" });
      const text = await message.innerText();
      assert.match(text, /API key was not accepted \(401 Unauthorized\)/);
      assert.match(text, /Paste the whole key/);
      assert.equal(await page.locator("#scorecard").isHidden(), true, "no scorecard is shown for a refused key");
      await page.close();
    });

    test("a refused period (400) is explained with the API's field errors", async () => {
      const { page } = await openPage();
      await showScorecard(page, tenant.apiKey, "2025-03-31", "2025-01-01");
      const message = page.locator("#message");
      await message.waitFor({ state: "visible" });
      assert.equal(await message.getAttribute("data-status"), "400");
      const text = await message.innerText();
      assert.match(text, /The request was refused \(400 Bad Request\)/);
      const api = await apiGet(`/v1/scorecard?from=2025-03-31&to=2025-01-01`, tenant.apiKey, 400);
      for (const [field, messages] of Object.entries(api.errors))
        for (const m of messages) assert.ok(text.includes(`${field}: ${m}`), `the message lists "${field}: ${m}"`);
      await page.close();
    });

    test("the scorecard shows the API's numbers to the cent, null KPIs with their reason, bands and trends", async () => {
      const { page } = await openPage();
      await showScorecard(page, tenant.apiKey);
      await page.locator("#status", { hasText: "Scorecard loaded" }).waitFor();
      const api = await apiGet(`/v1/scorecard?from=${FROM}&to=${TO}`, tenant.apiKey);

      const results = api.perspectives.flatMap((p) => p.kpis);
      assert.equal(results.length, 31);
      let money = 0, nulls = 0, small = 0;
      for (const group of api.perspectives) {
        const section = page.locator(`[data-perspective="${group.perspective}"]`);
        assert.equal(await section.locator(".kpi").count(), group.kpis.length, `${group.perspective} shows all its KPIs`);
        for (const r of group.kpis) {
          const card = section.locator(`.kpi[data-kpi="${r.kpi}"]`);
          const shown = await card.locator('[data-role="value"]').innerText();
          if (r.value === null) {
            nulls++;
            assert.equal(shown, "No value", `${r.kpi} is null: never shown as 0`);
            const reason = card.locator('[data-role="reason"]');
            assert.equal(await reason.getAttribute("data-reason"), r.reason);
            assert.ok((await reason.innerText()).includes(`(${r.reason})`), `${r.kpi} shows its reason ${r.reason}`);
          } else {
            assert.equal(renderedNumber(shown), decimalText(r.value, r.unit), `${r.kpi}: page "${shown}" vs API ${r.value}`);
            if (r.unit === "money") {
              money++;
              assert.ok(shown.endsWith(` ${api.currency}`), `${r.kpi} names the currency`);
            }
          }
          assert.equal(await card.locator('[data-role="small-sample"]').count(), r.sample?.isSmall ? 1 : 0, `${r.kpi} small-sample warning`);
          if (r.sample?.isSmall) small++;
          const band = await card.locator('[data-role="band"]').innerText();
          if (r.benchmark.bands.length > 0) {
            const b = r.benchmark.bands[0];
            assert.equal(await card.locator('[data-role="band"]').getAttribute("data-position"), b.position);
            assert.match(band, b.favourable ? /: favourable$/ : /: unfavourable$/);
          } else {
            assert.match(band, /^Benchmark: no verdict/);
          }
          const trend = await card.locator('[data-role="trend"]').innerText();
          if (r.change !== null) assert.match(trend, /vs previous period/);
        }
      }
      assert.ok(money >= 3, "the seed gives several money KPIs a value");
      assert.ok(nulls >= 1, "the seed leaves at least one KPI null");
      assert.ok(small >= 1, "the seed has a small survey sample");

      const revenue = results.find((r) => r.kpi === "revenue");
      assert.equal(revenue.value, tenant.expectedRevenue, "the seed's revenue, worked by hand");

      assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");
      assert.equal(await page.evaluate(() => document.cookie), "", "no cookie");
      assert.equal(await page.evaluate(() => Object.keys(sessionStorage).length), 1, "the key, in sessionStorage");
      assert.ok(!page.url().includes(tenant.apiKey), "the key is not in the URL");
      await page.close();
    });

    test("clicking a KPI draws its monthly series with the benchmark band, and lists its inputs", async () => {
      const { page } = await openPage();
      const keyed = [];
      page.on("request", (r) => { if (r.headers()["x-api-key"]) keyed.push(r.url()); });
      await showScorecard(page, tenant.apiKey);
      await page.locator("#status", { hasText: "Scorecard loaded" }).waitFor();

      const seriesAnswer = page.waitForResponse((r) => r.url().includes("/v1/kpis/revenue/series"));
      await page.click('.kpi[data-kpi="revenue"] .kpi-open');
      const seriesResponse = await seriesAnswer;
      const seriesUrl = new URL(seriesResponse.url());
      assert.equal(seriesUrl.searchParams.get("interval"), "month");
      assert.equal(seriesUrl.searchParams.get("to"), TO);
      await page.locator("#status", { hasText: "Series loaded" }).waitFor();

      // The same question asked of the API directly: the chart must hold exactly its values.
      const api = await apiGet(`/v1/kpis/revenue/series?${seriesUrl.searchParams}`, tenant.apiKey);
      assert.equal(api.points.length, 12);
      const chart = await page.evaluate(() => {
        const canvas = document.getElementById("series-chart");
        const instance = window.Chart.getChart(canvas);
        const { width, height } = canvas;
        const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return {
          labels: instance.data.labels,
          values: instance.data.datasets[0].data,
          points: instance.getDatasetMeta(0).data.filter((p) => !p.skip).length,
          bands: instance.data.datasets.slice(1).map((d) => d.data[0]),
          painted, area: width * height,
        };
      });
      assert.deepEqual(chart.labels, api.points.map((p) => p.period.from.slice(0, 7)));
      assert.deepEqual(chart.values, api.points.map((p) => p.value));
      assert.equal(chart.points, api.points.filter((p) => p.value !== null).length);
      assert.ok(chart.points >= 3, "several months have a revenue");
      assert.ok(chart.painted > chart.area * 0.01, `the canvas is drawn on (${chart.painted} of ${chart.area} pixels)`);
      const scorecard = await apiGet(`/v1/scorecard?from=${FROM}&to=${TO}`, tenant.apiKey);
      const revenue = scorecard.perspectives.flatMap((p) => p.kpis).find((r) => r.kpi === "revenue");
      assert.deepEqual(chart.bands, [], "revenue has no benchmark: no band is drawn");

      const inputs = await page.$$eval("#inputs-table tbody tr", (rows) =>
        rows.map((r) => [r.querySelector("th").textContent, r.querySelector("td").textContent]));
      assert.deepEqual(inputs, Object.entries(revenue.inputs).map(([k, v]) => [k, v === null ? "—" : String(v)]));

      // A KPI with a benchmark band: the band's edges are drawn as the chart's second and third datasets.
      const acv = scorecard.perspectives.flatMap((p) => p.kpis).find((r) => r.kpi === "average-contract-value");
      const acvBand = acv.benchmark.bands[0];
      assert.ok(acvBand, "the seed's average contract value has a benchmark band");
      await page.click('.kpi[data-kpi="average-contract-value"] .kpi-open');
      await page.locator("#status", { hasText: "Series loaded" }).waitFor();
      await page.locator("#detail[data-kpi=\"average-contract-value\"]").waitFor();
      const drawnBand = await page.evaluate(() =>
        window.Chart.getChart(document.getElementById("series-chart")).data.datasets.slice(1).map((d) => d.data[0]));
      assert.deepEqual(drawnBand, [acvBand.lower, acvBand.upper].filter((v) => v !== null), "the benchmark band is drawn");

      await page.click('.kpi[data-kpi="revenue"] .kpi-open');
      await page.locator("#status", { hasText: "Series loaded" }).waitFor();
      await page.screenshot({ path: join(screenshots, "dashboard-desktop.png"), fullPage: true });
      assert.ok(keyed.length >= 3);
      for (const url of keyed) assert.equal(new URL(url).origin, new URL(baseUrl).origin, `the key goes only to this origin (${url})`);
      await page.close();
    });

    test("at 390 px the page fits the screen and still shows the scorecard and the chart", async () => {
      const { page } = await openPage({ width: 390, height: 844 });
      await showScorecard(page, tenant.apiKey);
      await page.locator("#status", { hasText: "Scorecard loaded" }).waitFor();
      await page.click('.kpi[data-kpi="revenue"] .kpi-open');
      await page.locator("#status", { hasText: "Series loaded" }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no horizontal scrolling (${overflow} px too wide)`);
      const cardWidth = await page.locator('.kpi[data-kpi="revenue"]').evaluate((e) => e.getBoundingClientRect().width);
      assert.ok(cardWidth > 300 && cardWidth <= 390, `one card per row (${cardWidth} px)`);
      const chartWidth = await page.locator("#series-chart").evaluate((e) => e.getBoundingClientRect().width);
      assert.ok(chartWidth > 250 && chartWidth <= 390, `the chart fits (${chartWidth} px)`);
      // Two screens rather than one 6,000 px strip: the chart as the click leaves it, then the top of the scorecard.
      await page.screenshot({ path: join(screenshots, "dashboard-phone-chart.png") });
      await page.evaluate(() => window.scrollTo(0, document.getElementById("scorecard").offsetTop - 8));
      await page.screenshot({ path: join(screenshots, "dashboard-phone.png") });
      await page.close();
    });

    for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
      test(`axe-core finds no serious or critical accessibility violation (${name}, scorecard and chart open)`, async () => {
        const { page } = await openPage(viewport);
        await showScorecard(page, tenant.apiKey);
        await page.locator("#status", { hasText: "Scorecard loaded" }).waitFor();
        await page.click('.kpi[data-kpi="revenue"] .kpi-open');
        await page.locator("#status", { hasText: "Series loaded" }).waitFor();
        await page.evaluate(axeSource); // through the DevTools protocol, which the page's CSP does not govern
        const violations = await page.evaluate(async () =>
          (await window.axe.run(document, { resultTypes: ["violations"] })).violations
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })));
        const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
        assert.deepEqual(serious, [], JSON.stringify(serious, null, 2));
        await page.close();
      });
    }

    test("429 is shown in words with the Retry-After time", async () => {
      // A real 429: a throwaway tenant uses up its own per-minute budget, then opens the page.
      const busy = await createTenant("Busy tenant");
      let message = "";
      for (let attempt = 0; attempt < 3 && !/429/.test(message); attempt++) {
        await exhaustRateLimit(busy.apiKey);
        const { page } = await openPage();
        await showScorecard(page, busy.apiKey);
        await page.waitForFunction(() => !document.getElementById("message").hidden ||
          document.getElementById("status").textContent.includes("Scorecard loaded"));
        message = await page.locator("#message").isVisible() ? await page.locator("#message").innerText() : "";
        await page.close();
      }
      assert.match(message, /Too many requests \(429\): this tenant's rate limit is used up\. Try again in \d+ seconds\./);
    });

    test("/docs (Scalar) renders from this server alone, without third-party buttons or a placeholder key", async () => {
      const page = await context.newPage();
      const requested = [];
      page.on("request", (r) => requested.push(r.url()));
      const response = await page.goto(`${baseUrl}/docs/`);
      assert.equal(response.status(), 200);
      // Rendered: the operations of openapi/v1.json are listed.
      await page.waitForFunction(() => document.body.innerText.includes("Clients"), null, { timeout: 30_000 });
      await page.waitForTimeout(1500); // late fonts, telemetry or agent calls would show up here
      await page.screenshot({ path: join(screenshots, "docs.png") });
      const remote = requested.filter((u) => {
        const { protocol, hostname } = new URL(u);
        return !(protocol === "data:" || protocol === "blob:" || hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]");
      });
      assert.deepEqual(remote, [], "every request of /docs stays on loopback");
      const text = await page.evaluate(() => document.body.innerText);
      for (const label of ["Ask AI", "Deploy", "Generate SDK", "Share"])
        assert.ok(!text.includes(label), `/docs shows no "${label}"`);
      // No key is filled in for the reader. (Scalar still greys a sample string into the empty field and writes
      // YOUR_SECRET_TOKEN into code samples until a key is typed: its own placeholders, not a value that is sent.)
      const filled = await page.$$eval("input", (inputs) => inputs.filter((i) => (i.type === "text" || i.type === "password") && i.value).map((i) => i.value));
      assert.deepEqual(filled, [], "no input of /docs is pre-filled (no API key value)");
      await page.close();
    });

    test("the peer band sits beside the static band: absent with its reason, or the published percentiles", async () => {
      // The seeded tenant has not opted in: every card says so.
      const { page } = await openPage();
      await showScorecard(page, tenant.apiKey);
      await page.locator("#status", { hasText: "Scorecard loaded" }).waitFor();
      const reasons = await page.locator('[data-role="peers"]').evaluateAll((nodes) => nodes.map((n) => n.dataset.reason));
      assert.equal(reasons.length, await page.locator(".kpi[data-kpi]").count(), "one peer line per KPI card");
      assert.ok(reasons.length >= 26);
      assert.ok(reasons.every((r) => r === "not-opted-in"), "no peer figures before opting in");
      await page.close();

      // Ten opted-in tenants with 10, 12, ... 28 active clients at the end of 2025, computed by the operator's refresh.
      const peers = [];
      for (let i = 0; i < 10; i++) {
        const peer = await createTenant(`Dashboard peer ${i}`);
        await apiPost("/v1/clients/batch", peer.apiKey, { items: Array.from({ length: 10 + 2 * i }, (_, c) => (
          { externalId: `p${c}`, name: `Peer client ${c}`, acquiredOn: "2024-06-01" })) });
        const put = await fetch(`${baseUrl}/v1/settings/peer-benchmarks`, {
          method: "PUT", headers: { "X-Api-Key": peer.apiKey, "Content-Type": "application/json" }, body: JSON.stringify({ optIn: true }) });
        assert.equal(put.status, 200);
        peers.push(peer);
      }
      const refresh = await fetch(`${baseUrl}/v1/admin/peer-benchmarks/refresh`, { method: "POST", headers: { "X-Api-Key": adminKey } });
      assert.equal(refresh.status, 202);
      const deadline = Date.now() + 120_000;
      let listed;
      do {
        await new Promise((r) => setTimeout(r, 500));
        listed = await apiGet("/v1/benchmarks/peers?kpi=active-clients&period=2025", peers[0].apiKey);
      } while (listed.cohorts.length === 0 && Date.now() < deadline);
      assert.ok(listed.cohorts.length > 0, "the background job published the cohort");

      const peerPage = (await openPage()).page;
      await showScorecard(peerPage, peers[0].apiKey, "2025-01-01", "2025-12-31");
      await peerPage.locator("#status", { hasText: "Scorecard loaded" }).waitFor();
      const api = (await apiGet("/v1/kpis/active-clients?from=2025-01-01&to=2025-12-31&peers=true", peers[0].apiKey)).peers;
      assert.equal(api.p50, 19);
      const line = peerPage.locator('.kpi[data-kpi="active-clients"] [data-role="peers"]');
      assert.equal(await line.getAttribute("data-position"), api.position);
      const text = await line.innerText();
      assert.ok(text.includes(`p25 ${api.p25}`) && text.includes(`median ${api.p50}`) && text.includes(`p75 ${api.p75}`), text);
      assert.ok(text.includes(`${api.tenants} tenants`), text);
      // The static band is still there, beside it.
      assert.equal(await peerPage.locator('.kpi[data-kpi="active-clients"] [data-role="band"]').count(), 1);
      await peerPage.close();
    });

    test("the browser reported no script error and no CSP violation", () => {
      // 401/400/429 answers are expected above: chromium logs each failed fetch as a console error.
      const unexpected = consoleProblems.filter((m) => !/status of (400|401|429)/.test(m));
      assert.deepEqual(unexpected, []);
    });
  });
}

// ---------- helpers ----------

/** The number a user reads, with thousands separators removed: "12,345.67 USD" -> "12345.67". */
function renderedNumber(text) {
  const match = text.replace(/−/g, "-").match(/-?[\d,]+(\.\d+)?/);
  assert.ok(match, `a number in "${text}"`);
  return match[0].replace(/,/g, "");
}

/** The API's value written with the decimals the page shows for its unit (the API already rounded it). */
function decimalText(value, unit) {
  if (unit === "days") return value.toFixed(1);
  if (unit === "count" && Number.isInteger(value)) return String(value);
  return value.toFixed(2);
}

async function apiGet(path, key, expectedStatus = 200) {
  const response = await fetch(`${baseUrl}${path}`, { headers: { "X-Api-Key": key, Accept: "application/json" } });
  assert.equal(response.status, expectedStatus, `GET ${path}`);
  return response.json();
}

async function apiPost(path, key, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: "POST", headers: { "X-Api-Key": key, "Content-Type": "application/json" }, body: JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `POST ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function createTenant(name) {
  const response = await fetch(`${baseUrl}/v1/tenants`, {
    method: "POST", headers: { "X-Api-Key": adminKey, "Content-Type": "application/json" },
    body: JSON.stringify({ name: `${name} ${Date.now()}`, industry: "saas", currency: "USD" }),
  });
  assert.equal(response.status, 201);
  return response.json();
}

async function exhaustRateLimit(key) {
  for (let round = 0; round < 40; round++) {
    const statuses = await Promise.all(Array.from({ length: 50 }, () =>
      fetch(`${baseUrl}/v1/kpis`, { headers: { "X-Api-Key": key } }).then((r) => r.status)));
    if (statuses.includes(429)) return;
  }
  assert.fail("the rate limit never answered 429");
}

/**
 * A SaaS tenant: 6 clients acquired in 2024 (one churns in February 2025, two are acquired in 2025),
 * a year's contract each, costs in every category, a handful of surveys (a small sample) and leads.
 * Revenue for 2025-01-01..2025-03-31 is worked out by hand below.
 */
async function seedTenant() {
  const tenant = await createTenant("Dashboard test tenant");
  const key = tenant.apiKey;
  const clients = await apiPost("/v1/clients/batch", key, { items: [
    { externalId: "c1", name: "Globex", acquiredOn: "2024-01-10", industry: "saas", segment: "enterprise" },
    { externalId: "c2", name: "Initech", acquiredOn: "2024-03-01", industry: "saas", segment: "smb" },
    { externalId: "c3", name: "Umbrella", acquiredOn: "2024-06-15", churnedOn: "2025-02-10", industry: "health", segment: "enterprise" },
    { externalId: "c4", name: "Hooli", acquiredOn: "2024-09-01", industry: "saas", segment: "smb" },
    { externalId: "c5", name: "Vandelay", acquiredOn: "2025-01-20", industry: "retail", segment: "smb" },
    { externalId: "c6", name: "Stark", acquiredOn: "2025-02-05", industry: "saas", segment: "enterprise" },
  ] });
  const id = Object.fromEntries(clients.items.map((c) => [c.externalId, c.id]));
  // Contracts whose terms are whole years of 365 days, so revenue per day is value / 365.
  const contracts = [
    { externalId: "k1", clientId: id.c1, signedOn: "2024-01-05", startsOn: "2024-07-01", endsOn: "2025-06-30", value: 36500, kind: "new" },
    { externalId: "k2", clientId: id.c2, signedOn: "2024-02-20", startsOn: "2024-03-01", endsOn: "2025-02-28", value: 18250, kind: "new" },
    { externalId: "k3", clientId: id.c3, signedOn: "2024-06-10", startsOn: "2024-07-01", endsOn: "2025-06-30", value: 7300, kind: "new" },
    { externalId: "k4", clientId: id.c4, signedOn: "2024-08-25", startsOn: "2024-09-01", endsOn: "2025-08-31", value: 10950, kind: "new" },
    { externalId: "k5", clientId: id.c5, signedOn: "2025-01-15", startsOn: "2025-02-01", endsOn: "2026-01-31", value: 14600, kind: "new" },
    { externalId: "k6", clientId: id.c6, signedOn: "2025-02-01", startsOn: "2025-03-01", endsOn: "2026-02-28", value: 21900.55, kind: "new" },
    { externalId: "k7", clientId: id.c2, signedOn: "2025-02-15", startsOn: "2025-03-01", endsOn: "2026-02-28", value: 20075, kind: "renewal" },
  ].map((c) => ({ ...c, currency: "USD" }));
  await apiPost("/v1/contracts/batch", key, { items: contracts });
  await apiPost("/v1/costs/batch", key, { items: [
    ["cogs", 5000.10, "2025-01-31"], ["direct-labor", 7200, "2025-02-28"], ["sales", 3000.25, "2025-01-15"],
    ["marketing", 2500, "2025-02-15"], ["overhead", 1800.40, "2025-03-10"], ["marketing", 900, "2024-11-05"],
    ["sales", 1200, "2024-12-01"], ["cogs", 4100, "2024-12-31"],
  ].map(([category, amount, incurredOn], i) => ({ externalId: `g${i}`, category, amount, currency: "USD", incurredOn })) });
  await apiPost("/v1/surveys/batch", key, { items: [
    ["nps", 10, "2025-01-12", "c1"], ["nps", 9, "2025-02-03", "c2"], ["nps", 6, "2025-02-20", "c4"], ["nps", 8, "2025-03-05", "c6"],
    ["csat", 5, "2025-01-22", "c1"], ["csat", 3, "2025-03-14", "c2"], ["ces", 2, "2025-02-11", "c4"],
  ].map(([kind, score, respondedOn, client], i) => ({ externalId: `s${i}`, kind, score, respondedOn, clientId: id[client] })) });
  await apiPost("/v1/leads/batch", key, { items: [
    { externalId: "l1", createdOn: "2025-01-05", qualifiedOn: "2025-01-10", opportunityOn: "2025-01-20", source: "webinar" },
    { externalId: "l2", createdOn: "2025-01-18", qualifiedOn: "2025-02-01", source: "ads" },
    { externalId: "l3", createdOn: "2025-02-02", source: "ads" },
    { externalId: "l4", createdOn: "2025-03-01", qualifiedOn: "2025-03-03", opportunityOn: "2025-03-09", source: "referral" },
  ] });

  // Revenue 2025-01-01..03-31 (90 days), value / 365 a day for the days of each term inside the period:
  // k1 90 d × 100 = 9000; k2 59 d × 50 = 2950; k3 90 d × 20 = 1800; k4 90 d × 30 = 2700; k5 59 d × 40 = 2360;
  // k6 31 d × 21900.55 / 365 = 1860.0467… ; k7 31 d × 55 = 1705.  Sum 22375.0467… -> 22375.05.
  return { ...tenant, expectedRevenue: 22375.05 };
}
