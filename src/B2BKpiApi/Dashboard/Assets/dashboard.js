// The KPI dashboard: calls only this origin's public /v1 API with the pasted tenant key.
// The key lives in sessionStorage (this tab only), never in a URL, a cookie or localStorage.
"use strict";
(() => {
  const KEY_STORAGE = "b2b-kpi-dashboard:key";
  const PERSPECTIVES = [
    ["financial", "Financial"],
    ["customer", "Customer"],
    ["internal-process", "Internal process"],
    ["learning-growth", "Learning and growth"],
  ];
  const NO_VERDICT = {
    "no-benchmark-for-kpi": "no published benchmark for this KPI",
    "no-benchmark-for-industry": "no published benchmark for this industry",
    "currency-not-usd": "money benchmarks are in USD only",
    "value-undefined": "no value to compare",
  };
  const PEER_REASONS = {
    "not-opted-in": "this tenant has not opted in to peer benchmarks",
    "cohort-too-small": "fewer comparable tenants than the privacy minimum",
    "kpi-not-comparable": "not compared across tenants for this KPI, filter or period",
  };
  const PEER_POSITIONS = {
    "below-p25": "below p25", "p25-p50": "between p25 and the median", "p50-p75": "between the median and p75", "above-p75": "above p75",
  };
  const $ = (id) => document.getElementById(id);
  const form = $("settings"), keyInput = $("api-key"), preset = $("preset");
  const fromInput = $("from"), toInput = $("to");
  const message = $("message"), statusLine = $("status");
  const state = { catalog: null, scorecard: null, query: null, chart: null, selected: null, loading: 0 };

  // ---------- periods ----------
  const pad = (n) => String(n).padStart(2, "0");
  const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const day = (y, m, d) => new Date(y, m, d); // month overflow/underflow is normalised by Date
  function presetPeriod(name, today = new Date()) {
    const y = today.getFullYear(), m = today.getMonth(), q = Math.floor(m / 3) * 3;
    switch (name) {
      case "this-month": return [day(y, m, 1), today];
      case "last-month": return [day(y, m - 1, 1), day(y, m, 0)];
      case "this-quarter": return [day(y, q, 1), today];
      case "last-quarter": return [day(y, q - 3, 1), day(y, q, 0)];
      case "this-year": return [day(y, 0, 1), today];
      default: return null;
    }
  }
  function syncPeriodInputs() {
    const custom = preset.value === "custom";
    $("custom-from").hidden = !custom;
    $("custom-to").hidden = !custom;
    const period = presetPeriod(preset.value);
    if (period) { fromInput.value = iso(period[0]); toInput.value = iso(period[1]); }
  }

  // ---------- formatting ----------
  const fixed = (digits) => new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const two = fixed(2), one = fixed(1), whole = fixed(0);
  function formatValue(value, unit, currency) {
    if (value === null || value === undefined) return "—";
    switch (unit) {
      case "money": return `${two.format(value)} ${currency ?? ""}`.trim();
      case "money-per-day": return `${two.format(value)} ${currency ?? ""} a day`.replace("  ", " ");
      case "percent": return `${two.format(value)} %`;
      case "days": return `${one.format(value)} days`;
      case "count": return Number.isInteger(value) ? whole.format(value) : two.format(value);
      default: return two.format(value); // ratio, score
    }
  }
  function formatChange(change, unit, currency) {
    const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
    const size = Math.abs(change);
    if (unit === "percent") return `${sign}${two.format(size)} points`;
    return `${sign}${formatValue(size, unit, currency)}`;
  }
  const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
  const axisTitle = (unit, currency) =>
    ({ money: currency, "money-per-day": `${currency} a day`, percent: "%", days: "days", count: "count", ratio: "ratio", score: "score" })[unit] ?? unit;
  const sentence = (code) => code ? code.charAt(0).toUpperCase() + code.slice(1).replaceAll("-", " ") : "";
  const element = (tag, props = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else if (name.startsWith("data-") || name.startsWith("aria-")) node.setAttribute(name, value);
      else node[name] = value;
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };

  // ---------- API ----------
  class ApiError extends Error {
    constructor(status, text, list = []) { super(text); this.status = status; this.list = list; }
  }
  async function api(path) {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (!key) throw new ApiError(0, "Paste a tenant API key first.");
    let response;
    try {
      // A relative URL: the key goes to this origin only (and the CSP's connect-src 'self' enforces it).
      response = await fetch(path, { headers: { "X-Api-Key": key, Accept: "application/json" }, credentials: "omit", cache: "no-store" });
    } catch (error) {
      throw new ApiError(0, `The API could not be reached (${error.message}). Check that the server is running.`);
    }
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    if (response.ok) return body;
    throw describe(response, body);
  }
  function describe(response, problem) {
    const detail = problem?.detail ? ` ${problem.detail}` : "";
    switch (response.status) {
      case 401:
        return new ApiError(401, `The API key was not accepted (401 Unauthorized).${detail} Paste the whole key you were given when the tenant was created (it starts with "kpi_"), or ask the operator for a new one.`);
      case 403:
        return new ApiError(403, `This key may not do that (403 Forbidden).${detail}`);
      case 429: {
        const wait = response.headers.get("Retry-After");
        return new ApiError(429, `Too many requests (429): this tenant's rate limit is used up. Try again in ${wait ? `${wait} seconds` : "a minute"}.`);
      }
      case 400: {
        const list = Object.entries(problem?.errors ?? {}).flatMap(([field, messages]) => messages.map((m) => `${field}: ${m}`));
        return new ApiError(400, `The request was refused (400 Bad Request): ${problem?.title ?? "invalid input"}.${detail}`, list);
      }
      default:
        return new ApiError(response.status, `The API answered ${response.status}${problem?.title ? ` ${problem.title}` : ""}.${detail}`);
    }
  }
  function showError(error) {
    message.replaceChildren(element("p", { text: error.message, class: "message-text" }));
    if (error.list?.length) message.append(element("ul", {}, ...error.list.map((line) => element("li", { text: line }))));
    message.dataset.status = String(error.status ?? 0);
    message.hidden = false;
  }
  function clearError() { message.hidden = true; message.replaceChildren(); delete message.dataset.status; }
  function busy(on, text) {
    state.loading += on ? 1 : -1;
    $("show").disabled = state.loading > 0;
    statusLine.textContent = text ?? "";
  }

  // ---------- scorecard ----------
  function currentQuery() {
    const params = new URLSearchParams({ from: fromInput.value, to: toInput.value });
    for (const name of ["industry", "segment", "source"]) {
      const value = $(name).value.trim();
      if (value) params.set(name, value);
    }
    return params;
  }
  async function loadScorecard() {
    clearError();
    const query = currentQuery();
    busy(true, "Loading the scorecard…");
    try {
      state.catalog ??= new Map((await api("/v1/kpis")).items.map((k) => [k.id, k]));
      // peers=true: each KPI also carries the peer band (or why there is none); the series stays without it.
      const scorecard = await api(`/v1/scorecard?${query}&peers=true`);
      state.scorecard = scorecard;
      state.query = query;
      renderScorecard(scorecard);
      statusLine.textContent = `Scorecard loaded: ${scorecard.perspectives.reduce((n, p) => n + p.kpis.length, 0)} KPIs.`;
      if (state.selected) await openDetail(state.selected, false);
    } catch (error) {
      if (error.status === 401) state.catalog = null;
      showError(error);
      statusLine.textContent = "";
    } finally {
      state.loading--; $("show").disabled = state.loading > 0;
    }
  }
  function renderScorecard(scorecard) {
    const root = $("perspectives");
    root.replaceChildren();
    $("period-line").textContent =
      `${scorecard.period.from} to ${scorecard.period.to} · industry ${scorecard.industry} · amounts in ${scorecard.currency}`;
    for (const [id, title] of PERSPECTIVES) {
      const group = scorecard.perspectives.find((p) => p.perspective === id);
      if (!group || group.kpis.length === 0) continue;
      const headingId = `perspective-${id}`;
      root.append(element("section", { class: "perspective", "aria-labelledby": headingId, "data-perspective": id },
        element("h3", { id: headingId, text: title }),
        element("ul", { class: "cards" }, ...group.kpis.map(renderCard))));
    }
    $("scorecard").hidden = false;
  }
  function renderCard(result) {
    const definition = state.catalog.get(result.kpi);
    const name = definition?.name ?? result.kpi;
    const card = element("li", { class: "kpi", "data-kpi": result.kpi });
    const open = element("button", { type: "button", class: "kpi-open", text: name, "aria-controls": "detail" });
    open.addEventListener("click", () => openDetail(result.kpi, true));
    card.append(element("h4", {}, open));
    if (result.value === null) {
      card.append(element("p", { class: "value empty", "data-role": "value", text: "No value" }));
      card.append(element("p", { class: "reason", "data-role": "reason", "data-reason": result.reason, text: `${sentence(result.reason)} (${result.reason})` }));
    } else {
      card.append(element("p", { class: "value", "data-role": "value", text: formatValue(result.value, result.unit, result.currency) }));
    }
    card.append(renderTrend(result, definition));
    card.append(renderBand(result));
    const peers = renderPeers(result);
    if (peers) card.append(peers);
    if (result.sample?.isSmall)
      card.append(element("p", { class: "sample", "data-role": "small-sample",
        text: `Small sample: ${result.sample.count} answers, at least ${result.sample.minimum} needed for a reliable figure.` }));
    if (state.selected === result.kpi) card.classList.add("selected");
    return card;
  }
  function renderTrend(result, definition) {
    const previous = result.previous;
    const line = element("p", { class: "trend", "data-role": "trend" });
    if (result.change === null || result.change === undefined) {
      line.textContent = previous.value === null
        ? `Previous period: no value (${sentence(previous.reason)})`
        : `Previous period: ${formatValue(previous.value, result.unit, result.currency)}`;
      return line;
    }
    const better = definition?.direction === "lower" ? result.change < 0 : result.change > 0;
    const verdict = result.change === 0 ? "no change" : better ? "better" : "worse";
    line.append(element("span", { class: result.change === 0 ? "" : better ? "good" : "bad",
      text: `${result.change > 0 ? "▲" : result.change < 0 ? "▼" : "■"} ${formatChange(result.change, result.unit, result.currency)} (${verdict})` }));
    line.append(` vs previous period (${formatValue(previous.value, result.unit, result.currency)})`);
    return line;
  }
  function bandRange(band, unit, currency) {
    const f = (v) => formatValue(v, unit, currency);
    if (band.lower !== null && band.upper !== null) return `${f(band.lower)} to ${f(band.upper)}`;
    if (band.lower !== null) return `at least ${f(band.lower)}`;
    return `at most ${f(band.upper)}`;
  }
  function renderBand(result) {
    const band = result.benchmark.bands[0];
    if (!band) {
      const why = NO_VERDICT[result.benchmark.noVerdictReason] ?? sentence(result.benchmark.noVerdictReason ?? "no-benchmark");
      return element("p", { class: "band none", "data-role": "band", text: `Benchmark: no verdict (${why})` });
    }
    const where = { below: "Below", within: "Within", above: "Above" }[band.position] ?? sentence(band.position);
    const industry = band.industry === "*" ? "all industries" : band.industry;
    return element("p", { class: `band ${band.favourable ? "favourable" : "unfavourable"}`, "data-role": "band", "data-position": band.position,
      text: `${where} the ${band.label} band for ${industry} (${bandRange(band, result.unit, result.currency)}): ${band.favourable ? "favourable" : "unfavourable"}` });
  }

  function renderPeers(result) {
    const peers = result.peers;
    if (!peers) return null;
    if (peers.reason)
      return element("p", { class: "peers none", "data-role": "peers", "data-reason": peers.reason,
        text: `Peers: no band (${PEER_REASONS[peers.reason] ?? sentence(peers.reason)})` });
    const f = (v) => formatValue(v, result.unit, result.currency);
    const cohort = peers.cohort === "all" ? "all opted-in tenants"
      : peers.cohort === "industry" ? peers.industry : `${peers.industry}, ${peers.sizeBand} clients`;
    const where = PEER_POSITIONS[peers.position];
    return element("p", { class: "peers", "data-role": "peers", "data-cohort": peers.cohort, "data-position": peers.position ?? "",
      text: `Peers (${cohort}, ${peers.tenants} tenants): p25 ${f(peers.p25)} · median ${f(peers.p50)} · p75 ${f(peers.p75)}` +
        (where ? ` (you: ${where})` : "") });
  }

  // ---------- detail: series chart and inputs ----------
  function seriesRange(from, to) {
    // The 12 months up to the period's last month, or the whole period when it is longer (at most 60 months).
    const end = new Date(`${to}T00:00:00`);
    const start = new Date(`${from}T00:00:00`);
    let first = day(end.getFullYear(), end.getMonth() - 11, 1);
    if (start < first) first = day(start.getFullYear(), start.getMonth(), 1);
    const earliest = day(end.getFullYear(), end.getMonth() - 59, 1);
    if (first < earliest) first = earliest;
    return [iso(first), to];
  }
  async function openDetail(kpi, focus) {
    const result = state.scorecard?.perspectives.flatMap((p) => p.kpis).find((r) => r.kpi === kpi);
    if (!result) return;
    state.selected = kpi;
    document.querySelectorAll(".kpi.selected").forEach((n) => n.classList.remove("selected"));
    document.querySelector(`.kpi[data-kpi="${CSS.escape(kpi)}"]`)?.classList.add("selected");
    const definition = state.catalog.get(kpi);
    const detail = $("detail");
    detail.hidden = false;
    detail.dataset.kpi = kpi;
    $("detail-title").textContent = definition?.name ?? kpi;
    $("detail-formula").textContent = definition ? `${definition.formula}` : "";
    $("detail-description").textContent = definition?.description ?? "";
    renderInputs(result);
    if (focus) { detail.focus({ preventScroll: true }); detail.scrollIntoView({ behavior: "auto", block: "start" }); }

    const [from, to] = seriesRange(result.period.from, result.period.to);
    const params = new URLSearchParams(state.query);
    params.set("from", from); params.set("to", to); params.set("interval", "month");
    busy(true, `Loading the monthly series of ${definition?.name ?? kpi}…`);
    try {
      const series = await api(`/v1/kpis/${encodeURIComponent(kpi)}/series?${params}`);
      if (state.selected !== kpi) return;
      renderSeries(series, result);
      statusLine.textContent = `Series loaded: ${series.points.length} months.`;
    } catch (error) {
      showError(error);
      statusLine.textContent = "";
    } finally {
      state.loading--; $("show").disabled = state.loading > 0;
    }
  }
  function renderInputs(result) {
    const body = $("inputs-table").tBodies[0];
    body.replaceChildren(...Object.entries(result.inputs).map(([name, value]) =>
      element("tr", { "data-input": name }, element("th", { scope: "row", text: name }),
        element("td", { class: "num", text: value === null ? "—" : String(value) }))));
  }
  function renderSeries(series, result) {
    const labels = series.points.map((p) => p.period.from.slice(0, 7));
    const values = series.points.map((p) => p.value);
    const band = result.benchmark.bands[0];
    const name = $("detail-title").textContent;
    const datasets = [{
      label: name, data: values, borderColor: "#0b5cad", backgroundColor: "#0b5cad", pointRadius: 3, spanGaps: false, order: 0,
    }];
    if (band) {
      const fill = "rgba(19, 92, 42, 0.14)", edge = "rgba(19, 92, 42, 0.55)";
      const line = (v) => labels.map(() => v);
      const bandLabel = `Benchmark: ${band.label} (${band.industry === "*" ? "all industries" : band.industry})`;
      if (band.lower !== null && band.upper !== null) {
        datasets.push({ label: `${bandLabel} lower`, data: line(band.lower), borderColor: edge, borderDash: [4, 4], pointRadius: 0, fill: false, order: 1 });
        datasets.push({ label: bandLabel, data: line(band.upper), borderColor: edge, borderDash: [4, 4], backgroundColor: fill, pointRadius: 0, fill: "-1", order: 1 });
      } else if (band.lower !== null) {
        datasets.push({ label: bandLabel, data: line(band.lower), borderColor: edge, borderDash: [4, 4], backgroundColor: fill, pointRadius: 0, fill: "end", order: 1 });
      } else if (band.upper !== null) {
        datasets.push({ label: bandLabel, data: line(band.upper), borderColor: edge, borderDash: [4, 4], backgroundColor: fill, pointRadius: 0, fill: "start", order: 1 });
      }
    }
    state.chart?.destroy();
    const canvas = $("series-chart");
    state.chart = new window.Chart(canvas, {
      type: "line",
      data: { labels, datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { labels: { filter: (item) => !item.text.endsWith(" lower") } },
          tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${formatValue(c.parsed.y, result.unit, result.currency)}` } },
        },
        scales: {
          y: {
            // Short ticks (12K) keep the plot wide on a phone; the unit is the axis title, exact values are in the tooltip and table.
            ticks: { callback: (v) => compact.format(v) },
            title: { display: true, text: axisTitle(result.unit, result.currency) },
          },
        },
      },
    });
    const shown = values.filter((v) => v !== null).length;
    canvas.setAttribute("aria-label", `${name} by month, ${labels[0]} to ${labels.at(-1)}: ${shown} of ${labels.length} months have a value` +
      (band ? `; benchmark band ${bandRange(band, result.unit, result.currency)} shaded` : "") + ". The same data is in the table below.");
    $("chart-note").textContent = `${labels[0]} to ${labels.at(-1)}, one point a month; months without a value are gaps, not zeros.` +
      (band ? ` Shaded: the ${band.label} benchmark band.` : "");
    $("series-table").tBodies[0].replaceChildren(...series.points.map((p) => element("tr", {},
      element("th", { scope: "row", text: p.period.from.slice(0, 7) }),
      element("td", { class: "num", text: formatValue(p.value, p.unit, p.currency) }),
      element("td", { text: p.reason ?? "" }))));
  }

  // ---------- wiring ----------
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    if (!sessionStorage.getItem(KEY_STORAGE)) { showError(new ApiError(0, "Paste a tenant API key first.")); keyInput.focus(); return; }
    if (!fromInput.value || !toInput.value) { showError(new ApiError(0, "Choose the first and last day of the period.")); return; }
    loadScorecard();
  });
  keyInput.addEventListener("input", () => { state.catalog = null; });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    keyInput.value = "";
    state.catalog = null; state.scorecard = null; state.selected = null;
    state.chart?.destroy(); state.chart = null;
    $("scorecard").hidden = true; $("detail").hidden = true;
    clearError();
    statusLine.textContent = "The key is forgotten.";
  });
  $("close-detail").addEventListener("click", () => {
    const kpi = state.selected;
    state.selected = null;
    $("detail").hidden = true;
    document.querySelectorAll(".kpi.selected").forEach((n) => n.classList.remove("selected"));
    document.querySelector(`.kpi[data-kpi="${CSS.escape(kpi ?? "")}"] .kpi-open`)?.focus();
  });
  preset.addEventListener("change", syncPeriodInputs);
  syncPeriodInputs();
  const saved = sessionStorage.getItem(KEY_STORAGE);
  if (saved) { keyInput.value = saved; loadScorecard(); }
})();
