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
const RISK_FROM = "2025-04-01", RISK_AS_OF = "2025-06-30";

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

    // ---------- at-risk clients and the client page ----------
    describe("at-risk clients and the client page", () => {
      let risk;
      before(async () => { risk = await seedRiskTenant(); });

      async function showRisk(page, key = risk.apiKey) {
        await showScorecard(page, key, RISK_FROM, RISK_AS_OF);
        await page.locator('#risk[data-state="loaded"], #risk[data-state="empty"], #risk[data-state="error"]').waitFor();
      }
      async function openClient(page, id) {
        await page.evaluate((clientId) => { location.hash = `#/clients/${clientId}`; }, id);
        await page.locator('#client[data-state="loaded"], #client[data-state="not-found"], #client[data-state="error"]').waitFor();
      }

      test("the at-risk table shows the API's 20 riskiest clients in its order, the method, the next contract end and the factors in words", async () => {
        const { page } = await openPage();
        const requested = [];
        page.on("request", (r) => requested.push(new URL(r.url()).pathname));
        await showRisk(page);
        assert.equal(await page.locator("#risk").getAttribute("data-state"), "loaded");
        assert.equal(requested.filter((p) => p === "/v1/churn-risk").length, 1, "one ranked read fills the table");
        assert.deepEqual(requested.filter((p) => p.endsWith("/health")), [], "no per-row health read: the ranking carries the next contract end");
        const api = await apiGet(`/v1/churn-risk?asOf=${RISK_AS_OF}&limit=20`, risk.apiKey);
        assert.equal(api.items.length, 20, "the seed has more than 20 active clients");
        assert.ok(api.nextCursor, "and more than one page of them");
        const rows = await page.$$eval("#risk-table tbody tr", (trs) => trs.map((tr) => ({
          client: tr.dataset.client,
          name: tr.querySelector("th a").textContent,
          href: tr.querySelector("th a").getAttribute("href"),
          probability: tr.querySelector('[data-role="probability"]').textContent,
          method: tr.querySelector('[data-role="method"]').textContent,
          methodId: tr.querySelector('[data-role="method"]').dataset.method,
          end: tr.querySelector('[data-role="contract-end"]').textContent,
          factors: [...tr.querySelectorAll('[data-role="factors"] li')].map((li) => ({ id: li.dataset.factor, text: li.textContent })),
          none: tr.querySelector('[data-role="factors"] .none')?.textContent ?? null,
        })));
        assert.ok(rows.length <= 20);
        assert.deepEqual(rows.map((r) => r.client), api.items.map((i) => i.clientId), "the API's ranking, row for row");
        const shown = rows.map((r) => Number(renderedNumber(r.probability)));
        for (let i = 1; i < shown.length; i++) assert.ok(shown[i - 1] >= shown[i], `ranked by probability, highest first (${shown})`);
        assert.ok(shown[0] > shown.at(-1), "the seed's clients do not all have the same risk");

        const seen = new Set();
        for (const [i, item] of api.items.entries()) {
          const row = rows[i];
          assert.equal(row.name, item.clientName);
          assert.equal(row.href, `#/clients/${item.clientId}`);
          assert.ok(row.probability.endsWith(" %"), row.probability);
          assert.equal(renderedNumber(row.probability), (Math.round(item.probability * 10000) / 100).toFixed(2), `${item.clientName}: ${row.probability} vs ${item.probability}`);
          assert.equal(row.methodId, item.method);
          assert.equal(row.method, { rules: "Rules", "logistic-regression": "Model" }[item.method]);
          // The top factors: those raising the risk, the largest first, at most three; each one a sentence.
          const expected = item.factors.filter((f) => f.contribution > 0.005).sort((a, b) => b.contribution - a.contribution).slice(0, 3);
          assert.deepEqual(row.factors.map((f) => f.id), expected.map((f) => f.factor), `${item.clientName}'s top factors`);
          if (expected.length === 0) assert.equal(row.none, "No factor raises the risk");
          for (const [k, f] of expected.entries()) {
            const text = row.factors[k].text;
            seen.add(f.factor);
            assert.ok(!text.includes(f.factor), `"${text}" is words, not the id ${f.factor}`);
            assert.match(text, factorPattern(f), `${f.factor} = ${f.value} in words`);
          }
        }
        for (const factor of ["days-to-contract-end", "economic-buyer-nps", "roles-gone-silent", "contract-value-change"])
          assert.ok(seen.has(factor), `the seed puts ${factor} among some client's top factors (seen: ${[...seen]})`);
        assert.ok(rows.some((r) => r.factors.some((f) => /^Economic buyer is a detractor \(NPS 3\)$/.test(f.text))));
        assert.ok(rows.some((r) => r.factors.some((f) => /^2 roles silent for 180\+ days$/.test(f.text))));

        // The next contract end of each row is the ranking's, which is the client's health answer.
        const days = (n) => `${n} day${n === 1 ? "" : "s"}`;
        for (const [i, item] of api.items.entries()) {
          assert.ok(item.nextContractEnd, "every seeded client has a running contract");
          assert.equal(rows[i].end, `${item.nextContractEnd} (in ${days(item.daysToNextContractEnd)})`);
        }
        for (const item of api.items.slice(0, 5)) {
          const health = await apiGet(`/v1/clients/${item.clientId}/health?asOf=${RISK_AS_OF}`, risk.apiKey);
          assert.equal(health.nextContractEnd, item.nextContractEnd);
          assert.equal(health.daysToNextContractEnd, item.daysToNextContractEnd);
        }
        const methodLine = await page.locator("#risk-method").innerText();
        assert.match(methodLine, /^Method: rules\. .*not from a trained model/, "a new tenant says plainly that it gets the rules score");
        assert.match(await page.locator("#risk-status").innerText(), /At-risk clients loaded: 20 clients \(more clients are active/);

        await page.locator("#risk").scrollIntoViewIfNeeded();
        await page.locator("#risk").screenshot({ path: join(screenshots, "dashboard-at-risk.png") });
        await page.close();
      });

      test("a client's page shows its health, its churn risk in words and every DMU role as the API answers, a never-heard-from role too", async () => {
        const { page } = await openPage();
        await showRisk(page);
        const id = risk.clients.r00;
        const link = page.locator(`#risk-table tr[data-client="${id}"] th a`);
        await link.click();
        await page.locator('#client[data-state="loaded"]').waitFor();
        assert.equal(new URL(page.url()).hash, `#/clients/${id}`);
        assert.equal(await page.locator("#risk").isVisible(), false, "the client page replaces the overview");
        assert.equal(await page.locator("#scorecard").isVisible(), false);
        assert.equal(await page.evaluate(() => document.activeElement?.id), "client-title", "focus moves to the client's heading");

        const health = await apiGet(`/v1/clients/${id}/health?asOf=${RISK_AS_OF}`, risk.apiKey);
        assert.equal(await page.locator("#client-title").innerText(), health.name);
        assert.ok(health.rolesNeverHeardFrom.length >= 1 && health.roles.length >= 3, "the seed's r00 has heard and unheard roles");
        const roles = await page.$$eval("#roles-table tbody tr", (trs) => trs.map((tr) => ({
          role: tr.dataset.role, never: tr.dataset.neverHeard === "true", name: tr.querySelector("th").textContent,
          cells: Object.fromEntries([...tr.querySelectorAll("td[data-cell]")].map((td) => [td.dataset.cell, td.textContent])),
          text: tr.textContent,
        })));
        assert.equal(roles.length, health.roles.length + health.rolesNeverHeardFrom.length, "one row per role, heard or not");
        const names = { "economic-buyer": "Economic buyer", "technical-buyer": "Technical buyer", user: "User", gatekeeper: "Gatekeeper", other: "Other" };
        for (const r of health.roles) {
          const row = roles.find((x) => x.role === r.role);
          assert.ok(row && !row.never, `${r.role} has a row`);
          assert.equal(row.name, names[r.role]);
          assert.equal(row.cells.last, r.lastAnsweredOn);
          for (const a of r.latestAnswers)
            assert.ok(row.cells.answers.includes(`${a.kind.toUpperCase()} ${a.score} (${a.respondedOn})`), `${r.role}: ${a.kind} ${a.score} in "${row.cells.answers}"`);
          for (const [cell, score] of [["nps", r.nps], ["csat", r.csat]]) {
            if (score.value === null) assert.match(row.cells[cell], /^No answers/, `${r.role} ${cell}`);
            else {
              assert.equal(renderedNumber(row.cells[cell]), score.value.toFixed(2), `${r.role} ${cell}: "${row.cells[cell]}" vs ${score.value}`);
              assert.ok(row.cells[cell].includes(`(${score.answers} answer`), `${r.role} ${cell} counts its answers`);
            }
          }
        }
        for (const role of health.rolesNeverHeardFrom) {
          const row = roles.find((x) => x.role === role);
          assert.ok(row?.never, `${role} is marked never heard from`);
          assert.match(row.text, /Never heard from/);
        }
        assert.ok(roles.some((r) => r.role === "economic-buyer" && r.cells.nps && Number(renderedNumber(r.cells.nps)) < 0), "the detractor economic buyer's NPS is negative");

        const summary = Object.fromEntries(await page.$$eval("#client-summary > div", (ds) => ds.map((d) => [d.dataset.role, d.querySelector("dd").textContent])));
        assert.equal(summary["next-end"], `${health.nextContractEnd} (in ${health.daysToNextContractEnd} days)`);
        assert.equal(renderedNumber(summary.arr), health.arr.toFixed(2));
        assert.ok(summary.contracts.startsWith(`${health.activeContracts.length} contract`));
        assert.ok(summary.contracts.includes(formatMoney(health.activeContractValue)), `${summary.contracts} has ${health.activeContractValue}`);
        assert.ok(summary["revenue-trend"].includes(formatMoney(health.revenueTrend.revenue)) &&
          summary["revenue-trend"].includes(formatMoney(health.revenueTrend.previousRevenue)), summary["revenue-trend"]);
        assert.equal(await page.locator("#contracts-table tbody tr").count(), health.activeContracts.length);

        const riskLine = await page.locator("#client-risk").innerText();
        assert.ok(riskLine.startsWith(`${(Math.round(health.churnRisk.probability * 10000) / 100).toFixed(2)} % chance of churning within the 90 days after ${RISK_AS_OF}`), riskLine);
        assert.match(riskLine, /Method: rules/);
        const factors = await page.$$eval("#client-factors li", (lis) => lis.map((li) => ({ id: li.dataset.factor, text: li.textContent })));
        assert.deepEqual(factors.map((f) => f.id), health.churnRisk.factors.map((f) => f.factor), "every factor, in the API's order");
        for (const [k, f] of health.churnRisk.factors.entries()) {
          assert.match(factors[k].text, factorPattern(f));
          assert.match(factors[k].text, f.contribution > 0.005 ? /raises the risk/ : f.contribution < -0.005 ? /lowers the risk/ : /hardly moves the risk/);
        }
        await page.screenshot({ path: join(screenshots, "dashboard-client.png"), fullPage: true });

        // r03's economic buyer never answered: its neutral 7 is not "passive (NPS 7)" but "not heard from".
        await openClient(page, risk.clients.r03);
        const unheard = await apiGet(`/v1/clients/${risk.clients.r03}/health?asOf=${RISK_AS_OF}`, risk.apiKey);
        assert.ok(unheard.rolesNeverHeardFrom.includes("economic-buyer"));
        assert.match(await page.locator('#client-factors li[data-factor="economic-buyer-nps"]').innerText(),
          /^Economic buyer not heard from in the last 365 days: hardly moves the risk/);
        assert.equal(await page.locator('#roles-table tr[data-role="economic-buyer"]').getAttribute("data-never-heard"), "true");
        await page.evaluate((clientId) => { location.hash = `#/clients/${clientId}`; }, id);
        await page.locator(`#client[data-state="loaded"][data-client="${id}"]`).waitFor();

        // Back to the overview: the table is there again and the focus is on the client's link.
        await page.click("#client-back");
        await page.locator("#risk").waitFor({ state: "visible" });
        assert.equal(await page.locator("#client").isVisible(), false);
        assert.equal(await page.evaluate(() => document.activeElement?.closest("tr")?.dataset.client), id);
        await page.close();
      });

      test("another tenant's client, and an id that is no client, say \"not found\" in words (the API's 404)", async () => {
        await apiGet(`/v1/clients/${risk.otherClientId}/health?asOf=${RISK_AS_OF}`, risk.apiKey, 404);
        const { page } = await openPage();
        await showRisk(page);
        for (const id of [risk.otherClientId, "not-a-client"]) {
          await openClient(page, id);
          assert.equal(await page.locator("#client").getAttribute("data-state"), "not-found", id);
          assert.equal(await page.locator("#client-title").innerText(), "Client not found");
          assert.match(await page.locator("#client-status").innerText(), /No client with this id in this tenant \(404 Not Found\)/);
          assert.equal(await page.locator("#client-body").isVisible(), false, "nothing of another client is shown");
          await page.evaluate(() => { location.hash = "#/"; });
          await page.locator("#risk").waitFor({ state: "visible" });
        }
        await page.close();
      });

      test("no client to rank and a refused request are said in words, not a blank table", async () => {
        const empty = await createTenant("Dashboard empty risk tenant");
        const { page } = await openPage();
        await showRisk(page, empty.apiKey);
        assert.equal(await page.locator("#risk").getAttribute("data-state"), "empty");
        assert.match(await page.locator("#risk-status").innerText(), /^No client is active on 2025-06-30, so there is nothing to rank\./);
        assert.equal(await page.locator("#risk-scroll").isVisible(), false);
        await page.close();

        const refused = (await openPage()).page;
        await showRisk(refused, "kpi_00000000000000000000000000000000_wrong");
        assert.equal(await refused.locator("#risk").getAttribute("data-state"), "error");
        assert.match(await refused.locator("#risk-status").innerText(), /^The at-risk clients could not be loaded\. The API key was not accepted \(401 Unauthorized\)/);
        await refused.close();
      });

      test("a factor the page does not know is still a sentence: the API's own, or its name and value, never the bare id", async () => {
        const { page } = await openPage();
        // The API answers as it does, with two factors added to the riskiest client (one with the API's sentence, one without).
        await page.route("**/v1/churn-risk?*", async (route) => {
          const response = await route.fetch();
          const body = await response.json();
          body.items[0].factors.unshift(
            { factor: "usage-drop", value: 42, unit: "percent", contribution: 5, description: "Product usage fell by 42 % in 30 days: raises the risk." },
            { factor: "support-tickets", value: 7, unit: "count", contribution: 4 });
          await route.fulfill({ response, json: body });
        });
        await showRisk(page);
        const first = page.locator("#risk-table tbody tr").first();
        const texts = await first.locator('[data-role="factors"] li').allInnerTexts();
        assert.deepEqual(texts.slice(0, 2), ["Product usage fell by 42 % in 30 days", "Support tickets: 7"]);
        assert.deepEqual(await first.locator('[data-role="factors"] li').evaluateAll((lis) => lis.slice(0, 2).map((li) => li.dataset.factor)),
          ["usage-drop", "support-tickets"]);
        await page.close();
      });

      for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
        test(`axe-core finds no violation at all on the at-risk table and the client page (${name})`, async () => {
          const { page } = await openPage(viewport);
          await showRisk(page);
          await page.locator("#status", { hasText: "Scorecard loaded" }).waitFor();
          await page.evaluate(axeSource);
          // The new views: no violation of any impact. The whole page: none serious or critical (as the test above).
          const run = (selector) => page.evaluate(async (only) =>
            (await window.axe.run(only ? { include: [[only]] } : document, { resultTypes: ["violations"] })).violations
              .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) })), selector);
          const serious = (violations) => violations.filter((v) => v.impact === "serious" || v.impact === "critical");
          const table = await run("#risk");
          assert.deepEqual(table, [], JSON.stringify(table, null, 2));
          assert.deepEqual(serious(await run()), []);
          const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(await overflow() <= 0, `the overview does not scroll sideways (${await overflow()} px)`);
          if (name === "phone") {
            await page.evaluate(() => window.scrollTo(0, document.getElementById("risk").offsetTop - 8));
            await page.screenshot({ path: join(screenshots, "dashboard-at-risk-phone.png") });
          }

          await page.click(`#risk-table tr[data-client="${risk.clients.r00}"] th a`);
          await page.locator('#client[data-state="loaded"]').waitFor();
          const client = await run("#client");
          assert.deepEqual(client, [], JSON.stringify(client, null, 2));
          assert.deepEqual(serious(await run()), []);
          assert.ok(await overflow() <= 0, `the client page does not scroll sideways (${await overflow()} px)`);
          if (name === "phone") await page.locator("#client").screenshot({ path: join(screenshots, "dashboard-client-phone.png") });
          await openClient(page, risk.otherClientId);
          const missing = await run("#client");
          assert.deepEqual(missing, [], JSON.stringify(missing, null, 2));
          await page.close();
        });
      }
    });

    test("the browser reported no script error and no CSP violation", () => {
      // 401/400/429 answers are expected above: chromium logs each failed fetch as a console error.
      // 404: the client page's unknown and other-tenant ids.
      const unexpected = consoleProblems.filter((m) => !/status of (400|401|404|429)/.test(m));
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

/** "12,345.67 USD" as the page writes money. */
function formatMoney(value) {
  return `${new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value)} USD`;
}

/** What the dashboard must say for a factor (its value in words), as a pattern. */
function factorPattern(f) {
  const v = f.value, n = (x) => String(Math.round(Math.abs(x) * 10) / 10);
  switch (f.factor) {
    case "days-to-contract-end":
      return v <= 0 ? /^No contract running/ : v >= 180 ? /^Contract ends in 180\+ days/ : new RegExp(`^Contract ends in ${v} days?`);
    case "contract-value-change":
      return Math.abs(v) < 0.05 ? /^Contract value unchanged/ : new RegExp(`^Contract value ${v < 0 ? "down" : "up"} ${n(v).replace(".", "\\.")} % from the previous contract`);
    case "economic-buyer-nps":
      return f.description.startsWith("No economic buyer") ? /^Economic buyer not heard from/
        : new RegExp(`^Economic buyer is (a detractor|passive|a promoter) \\(NPS ${v}\\)`);
    case "dmu-detractors":
      return v === 0 ? /^No detractor/ : new RegExp(`^${v} buying-committee roles? (is a detractor|are detractors) \\(NPS 0–6\\)`);
    case "roles-gone-silent":
      return v === 0 ? /^No role has gone silent/ : new RegExp(`^${v} roles? silent for 180\\+ days`);
    case "survey-trend":
      return Math.abs(v) < 0.05 ? /^NPS scores flat/ : new RegExp(`^NPS scores ${v < 0 ? "down" : "up"} ${n(v).replace(".", "\\.")} points`);
    default:
      assert.fail(`a factor the test does not know: ${f.factor}`);
  }
}

/**
 * A tenant whose churn risk on 2025-06-30 is driven by different factors per client (24 active clients, so more
 * than the table's 20; two churned ones that must not be ranked), and a second tenant's client for the 404.
 * Every client has a contract 2023-07-01..2024-06-30 and a running one from 2024-07-01 to an end 10–300 days after
 * asOf; by i: the running contract is worth 30 % less a day (i % 3 = 0), the same, or 20 % more; the economic
 * buyer last scored 3 (i % 4 = 0), 9, 7 or never answered; a technical buyer is a detractor (i % 5 = 0); the user
 * and the gatekeeper answered only in 2024-09 (silent for 180+ days) and the technical buyer never (i % 6 = 0).
 * r00 ends in 10 days, is worth 30 % less, has a detractor economic buyer, two silent roles and one never heard from.
 */
async function seedRiskTenant() {
  const tenant = await createTenant("Dashboard churn-risk tenant");
  const key = tenant.apiKey;
  const count = 24;
  const names = ["Acme", "Bluth", "Cyberdyne", "Dunder", "Encom", "Frobozz", "Gringotts", "Hanso", "Ingen", "Jupiter",
    "Krusty", "Lacuna", "Massive", "Nakatomi", "Oceanic", "Pied Piper", "Quark", "Rekall", "Soylent", "Tyrell",
    "Umbrella", "Virtucon", "Wayne", "Xanadu"];
  const items = names.slice(0, count).map((name, i) => ({ externalId: `r${String(i).padStart(2, "0")}`, name, acquiredOn: "2023-06-01" }));
  items.push({ externalId: "gone1", name: "Gone One", acquiredOn: "2023-06-01", churnedOn: "2025-03-01" });
  items.push({ externalId: "gone2", name: "Gone Two", acquiredOn: "2023-06-01", churnedOn: "2025-05-15" });
  const created = await apiPost("/v1/clients/batch", key, { items });
  const id = Object.fromEntries(created.items.map((c) => [c.externalId, c.id]));
  const day = (iso, plus) => new Date(Date.parse(`${iso}T00:00:00Z`) + plus * 86400000).toISOString().slice(0, 10);
  const termDays = (from, to) => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000 + 1;
  const contracts = [], surveys = [];
  const ends = [10, 25, 45, 80, 120, 200, 300];
  for (let i = 0; i < count; i++) {
    const client = id[`r${String(i).padStart(2, "0")}`];
    const endsOn = day(RISK_AS_OF, ends[i % ends.length]);
    const previousRate = 36600 / termDays("2023-07-01", "2024-06-30"); // 100 a day
    const factor = [0.7, 1, 1.2][i % 3];
    const value = Math.round(previousRate * factor * termDays("2024-07-01", endsOn) * 100) / 100;
    contracts.push({ externalId: `rk${i}a`, clientId: client, signedOn: "2023-06-20", startsOn: "2023-07-01", endsOn: "2024-06-30", value: 36600, kind: "new" });
    contracts.push({ externalId: `rk${i}b`, clientId: client, signedOn: "2024-06-20", startsOn: "2024-07-01", endsOn, value, kind: "renewal" });
    const eb = [3, 9, 7, null][i % 4];
    if (eb !== null) surveys.push({ kind: "nps", score: eb, respondedOn: "2025-05-10", clientId: client, respondentRole: "economic-buyer" });
    if (i % 5 === 0 && i % 6 !== 0) surveys.push({ kind: "nps", score: 5, respondedOn: "2025-04-20", clientId: client, respondentRole: "technical-buyer" });
    else if (i % 2 === 0 && i % 6 !== 0) surveys.push({ kind: "csat", score: 4, respondedOn: "2025-04-20", clientId: client, respondentRole: "technical-buyer" });
    if (i % 6 === 0) {
      surveys.push({ kind: "nps", score: 8, respondedOn: "2024-09-15", clientId: client, respondentRole: "user" });
      surveys.push({ kind: "csat", score: 5, respondedOn: "2024-09-16", clientId: client, respondentRole: "user" });
      surveys.push({ kind: "nps", score: 9, respondedOn: "2024-09-20", clientId: client, respondentRole: "gatekeeper" });
    } else if (i % 3 === 1) {
      surveys.push({ kind: "csat", score: 2, respondedOn: "2025-06-01", clientId: client, respondentRole: "user" });
    }
  }
  await apiPost("/v1/contracts/batch", key, { items: contracts.map((c) => ({ ...c, currency: "USD" })) });
  await apiPost("/v1/surveys/batch", key, { items: surveys.map((s, i) => ({ ...s, externalId: `rs${i}` })) });

  const other = await createTenant("Dashboard churn-risk other tenant");
  const otherClient = await apiPost("/v1/clients/batch", other.apiKey, { items: [{ externalId: "x1", name: "Not yours", acquiredOn: "2023-06-01" }] });
  return { ...tenant, clients: id, otherClientId: otherClient.items[0].id };
}
