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

  // ---------- at-risk clients and the client page ----------
  // asOf is the last day of the chosen period: "this …" periods end today, so they show the risk of now.
  const RISK_ROWS = 20;
  const ROLE_NAMES = {
    "economic-buyer": "Economic buyer", "technical-buyer": "Technical buyer", user: "User", gatekeeper: "Gatekeeper", other: "Other",
  };
  const ROLE_ORDER = ["economic-buyer", "technical-buyer", "user", "gatekeeper", "other"];
  const METHOD_NAMES = { "logistic-regression": "Model", rules: "Rules" };
  const METHOD_LINES = {
    "logistic-regression": "Method: model. The probabilities come from this tenant's own model (a logistic regression trained on its history).",
    rules: "Method: rules. The probabilities come from the documented rules score, not from a trained model",
  };
  const METHOD_REASONS = {
    "fewer-than-20-churn-events": "this tenant has fewer than 20 churned clients to learn from",
    "training-window-has-one-outcome-only": "its history holds only one outcome (no churn, or only churn) to learn from",
    "model-not-trained-yet": "its model has not been trained yet",
  };
  const ANSWER_KINDS = { nps: "NPS", csat: "CSAT", ces: "CES" };
  const upToOne = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  const plural = (n, one, many) => `${whole.format(n)} ${n === 1 ? one : many}`;
  const roleName = (role) => ROLE_NAMES[role] ?? sentence(role);
  const methodName = (method) => METHOD_NAMES[method] ?? sentence(method);
  function methodLine(method, reason) {
    const line = METHOD_LINES[method] ?? `Method: ${sentence(method)}.`;
    if (method !== "rules") return line;
    return reason ? `${line}: ${METHOD_REASONS[reason] ?? sentence(reason).toLowerCase()}.` : `${line}.`;
  }
  /** The probability (0–1, 4 decimals) as a percentage with the two decimals it has. */
  const percent = (probability) => `${two.format(Math.round(probability * 10000) / 100)} %`;
  const effect = (contribution) => contribution > 0.005 ? "raises the risk" : contribution < -0.005 ? "lowers the risk" : "hardly moves the risk";

  /** A factor as an account manager would say it. Unknown factors: the API's own sentence, else the factor's name and value. */
  function factorSentence(f) {
    const v = f.value;
    switch (f.factor) {
      case "days-to-contract-end":
        if (v <= 0) return "No contract running";
        if (v >= 180) return "Contract ends in 180+ days";
        return `Contract ends in ${plural(v, "day", "days")}`;
      case "contract-value-change":
        if (Math.abs(v) < 0.05) return "Contract value unchanged from the previous contract";
        return `Contract value ${v < 0 ? "down" : "up"} ${upToOne.format(Math.abs(v))} % from the previous contract`;
      case "economic-buyer-nps":
        // An economic buyer not heard from scores a neutral 7; the API's sentence tells the two apart.
        if (/^No economic buyer/i.test(f.description ?? "")) return "Economic buyer not heard from in the last 365 days";
        if (v <= 6) return `Economic buyer is a detractor (NPS ${whole.format(v)})`;
        if (v >= 9) return `Economic buyer is a promoter (NPS ${whole.format(v)})`;
        return `Economic buyer is passive (NPS ${whole.format(v)})`;
      case "dmu-detractors":
        return v === 0 ? "No detractor in the buying committee"
          : `${plural(v, "buying-committee role is a detractor", "buying-committee roles are detractors")} (NPS 0–6)`;
      case "roles-gone-silent":
        return v === 0 ? "No role has gone silent" : `${plural(v, "role", "roles")} silent for 180+ days`;
      case "survey-trend":
        if (Math.abs(v) < 0.05) return "NPS scores flat over the last 180 days";
        return `NPS scores ${v < 0 ? "down" : "up"} ${upToOne.format(Math.abs(v))} points over the last 180 days`;
      default: {
        // The API's sentence ends with its effect ("…: raises the risk."), which the client page adds itself.
        if (f.description) return f.description.replace(/\.$/, "").replace(/: (raises|lowers|hardly moves) the risk$/, "");
        const unit = f.unit && f.unit !== "count" ? ` ${f.unit}` : "";
        return `${sentence(f.factor)}: ${upToOne.format(v)}${unit}`;
      }
    }
  }
  function factorItem(f, withEffect) {
    const text = withEffect
      ? `${factorSentence(f)}: ${effect(f.contribution)} (${f.contribution > 0 ? "+" : f.contribution < 0 ? "−" : "±"}${two.format(Math.abs(f.contribution))} on the log-odds)`
      : factorSentence(f);
    return element("li", { "data-factor": f.factor, "data-contribution": String(f.contribution), text });
  }
  /** The factors that raise the risk most, at most three. */
  const topFactors = (factors) => factors.filter((f) => f.contribution > 0.005).sort((a, b) => b.contribution - a.contribution).slice(0, 3);
  /** The next contract end of a health or churn-risk answer (both carry nextContractEnd and daysToNextContractEnd). */
  function contractEnd(answer) {
    if (answer.nextContractEnd === null || answer.nextContractEnd === undefined) return "No contract running";
    const days = answer.daysToNextContractEnd;
    return `${answer.nextContractEnd} (${days === 0 ? "today" : `in ${plural(days, "day", "days")}`})`;
  }

  function setState(section, statusNode, name, text) {
    section.dataset.state = name;
    statusNode.textContent = text;
    statusNode.classList.toggle("error", name === "error" || name === "not-found");
    // Once the client page is drawn its heading says what loaded: the status is then for screen readers only.
    statusNode.classList.toggle("visually-hidden", name === "loaded" && statusNode.id === "client-status");
  }
  async function loadRisk() {
    const section = $("risk"), status = $("risk-status"), asOf = toInput.value;
    const token = (state.riskToken = (state.riskToken ?? 0) + 1);
    section.hidden = false;
    $("risk-scroll").hidden = true;
    $("risk-method").textContent = "";
    $("risk-intro").textContent = `The clients most likely to churn within the 90 days after ${asOf} (the period's last day), riskiest first, at most ${RISK_ROWS}.`;
    setState(section, status, "loading", "Loading the at-risk clients…");
    try {
      const page = await api(`/v1/churn-risk?${new URLSearchParams({ asOf, limit: String(RISK_ROWS) })}`);
      if (token !== state.riskToken) return;
      if (page.items.length === 0) {
        setState(section, status, "empty", `No client is active on ${asOf}, so there is nothing to rank. Add clients and contracts, or pick a later period.`);
        return;
      }
      renderRisk(page);
      const more = page.nextCursor ? ` (more clients are active; the ${RISK_ROWS} riskiest are shown)` : "";
      setState(section, status, "loaded", `At-risk clients loaded: ${plural(page.items.length, "client", "clients")}${more}.`);
    } catch (error) {
      if (token !== state.riskToken) return;
      setState(section, status, "error", `The at-risk clients could not be loaded. ${error.message}`);
    }
  }
  function renderRisk(page) {
    const methods = [...new Set(page.items.map((i) => `${i.method}|${i.methodReason ?? ""}`))];
    $("risk-method").textContent = methods.map((m) => methodLine(...m.split("|").map((x) => x || null))).join(" ");
    $("risk-table").tBodies[0].replaceChildren(...page.items.map((item) => {
      const top = topFactors(item.factors);
      const link = element("a", { href: `#/clients/${encodeURIComponent(item.clientId)}`, text: item.clientName || "Unnamed client" });
      return element("tr", { "data-client": item.clientId, "data-probability": String(item.probability) },
        element("th", { scope: "row" }, link),
        element("td", { class: "num", "data-role": "probability", "data-label": "Churn risk (90 days)", text: item.probability === null ? "No value" : percent(item.probability) }),
        element("td", { "data-role": "method", "data-label": "Method", "data-method": item.method, text: methodName(item.method) }),
        element("td", { "data-role": "contract-end", "data-label": "Next contract end", text: contractEnd(item) }),
        element("td", { "data-role": "factors", "data-label": "Top factors" }, top.length === 0
          ? element("p", { class: "none", text: "No factor raises the risk" })
          : element("ul", { class: "factor-list" }, ...top.map((f) => factorItem(f, false)))));
    }));
    keepTableRoles($("risk-table"));
    $("risk-scroll").hidden = false;
  }
  // On a phone the at-risk, roles and contracts tables are drawn as one card per row (CSS display: block), which makes
  // browsers drop their table semantics; explicit roles keep rows, headers and cells for screen readers.
  function keepTableRoles(table) {
    table.setAttribute("role", "table");
    for (const group of table.querySelectorAll("thead, tbody")) group.setAttribute("role", "rowgroup");
    for (const row of table.rows) row.setAttribute("role", "row");
    for (const cell of table.querySelectorAll("th, td"))
      cell.setAttribute("role", cell.tagName === "TD" ? "cell" : cell.scope === "col" ? "columnheader" : "rowheader");
  }

  // #/clients/{id}: one client's health; anything else is the overview.
  const clientRoute = () => location.hash.match(/^#\/clients\/([^/?#]+)$/)?.[1] ?? null;
  function route(focus) {
    const id = clientRoute();
    document.querySelector("main").dataset.view = id ? "client" : "overview";
    $("client").hidden = !id;
    if (id) { loadClient(decodeURIComponent(id), focus); return; }
    if (focus && state.clientId) {
      const back = document.querySelector(`#risk-table tr[data-client="${CSS.escape(state.clientId)}"] a`);
      (back ?? $("risk-title")).focus?.();
    }
    state.clientId = null;
  }
  async function loadClient(id, focus) {
    const section = $("client"), status = $("client-status"), body = $("client-body");
    const token = (state.clientToken = (state.clientToken ?? 0) + 1);
    state.clientId = id;
    body.hidden = true;
    $("client-title").textContent = "Client";
    if (!sessionStorage.getItem(KEY_STORAGE)) {
      setState(section, status, "error", "Paste a tenant API key and choose a period above (Show KPIs) to see this client.");
      return;
    }
    const asOf = toInput.value;
    setState(section, status, "loading", "Loading the client's health…");
    try {
      const health = await api(`/v1/clients/${encodeURIComponent(id)}/health?${new URLSearchParams({ asOf })}`);
      if (token !== state.clientToken) return;
      renderClient(health);
      setState(section, status, "loaded", `Client health loaded: ${health.name} on ${health.asOf}.`);
    } catch (error) {
      if (token !== state.clientToken) return;
      if (error.status === 404) {
        $("client-title").textContent = "Client not found";
        setState(section, status, "not-found",
          "No client with this id in this tenant (404 Not Found): it may belong to another tenant, or it was deleted. Go back to the overview and pick a client from the table.");
      } else {
        setState(section, status, "error", `The client's health could not be loaded. ${error.message}`);
      }
    }
    if (focus) $("client-title").focus();
  }
  function renderClient(health) {
    const money = (v) => formatValue(v, "money", health.currency);
    $("client-title").textContent = health.name;
    $("client").dataset.client = health.clientId;
    $("client-asof").textContent = `Health on ${health.asOf} (the period's last day) · amounts in ${health.currency}`;
    const trend = health.revenueTrend;
    const change = trend.changePercent === null
      ? "no change to compare: no revenue in the 90 days before"
      : `${trend.changePercent > 0 ? "▲ +" : trend.changePercent < 0 ? "▼ −" : "■ ±"}${two.format(Math.abs(trend.changePercent))} %`;
    const rows = [
      ["Status", health.active ? `Active on ${health.asOf}` : `Not active on ${health.asOf}`, "active"],
      ["Active contracts", `${plural(health.activeContracts.length, "contract", "contracts")}, worth ${money(health.activeContractValue)} in total`, "contracts"],
      ["ARR", money(health.arr), "arr"],
      ["Next contract end", contractEnd(health), "next-end"],
      ["Revenue trend", `${money(trend.revenue)} in the 90 days to ${trend.to} against ${money(trend.previousRevenue)} in the 90 days before (${change})`, "revenue-trend"],
    ];
    $("client-summary").replaceChildren(...rows.map(([term, text, role]) =>
      element("div", { "data-role": role }, element("dt", { text: term }), element("dd", { text }))));

    const risk = health.churnRisk;
    $("client-risk").replaceChildren(...(risk.probability === null
      ? [`No churn risk: the client is not active on ${risk.asOf}.`]
      : [element("strong", { text: `${percent(risk.probability)} chance of churning within the ${risk.horizonDays} days after ${risk.asOf}.` }),
        ` ${methodLine(risk.method, risk.methodReason)}`]));
    $("client-risk").dataset.probability = String(risk.probability);
    $("client-risk").dataset.method = risk.method;
    $("client-factors").replaceChildren(...risk.factors.map((f) => factorItem(f, true)));

    const heard = new Map(health.roles.map((r) => [r.role, r]));
    const roles = [...new Set([...ROLE_ORDER.filter((r) => heard.has(r) || health.rolesNeverHeardFrom.includes(r)),
      ...health.roles.map((r) => r.role), ...health.rolesNeverHeardFrom])];
    $("roles-table").tBodies[0].replaceChildren(...roles.map((role) => {
      const r = heard.get(role);
      const head = element("th", { scope: "row", text: roleName(role) });
      if (!r) return element("tr", { "data-role": role, "data-never-heard": "true" }, head,
        element("td", { colSpan: 4, class: "never", "data-cell": "never", text: `Never heard from: no answer from this role up to ${health.asOf}` }));
      const answers = r.latestAnswers.map((a) => `${ANSWER_KINDS[a.kind] ?? sentence(a.kind)} ${a.score} (${a.respondedOn})`).join(" · ");
      const score = (s, format) => s.value === null ? "No answers in the last 365 days"
        : `${format(s.value)} (${plural(s.answers, "answer", "answers")})`;
      return element("tr", { "data-role": role },
        head,
        element("td", { "data-cell": "last", "data-label": "Last answered", text: r.lastAnsweredOn }),
        element("td", { "data-cell": "answers", "data-label": "Latest answers", text: answers }),
        element("td", { "data-cell": "nps", "data-label": "NPS (365 days)", class: "num", text: score(r.nps, (v) => (v < 0 ? "−" : "") + two.format(Math.abs(v))) }),
        element("td", { "data-cell": "csat", "data-label": "CSAT (365 days)", class: "num", text: score(r.csat, (v) => `${two.format(v)} %`) }));
    }));
    keepTableRoles($("roles-table"));

    $("contracts-table").tBodies[0].replaceChildren(...health.activeContracts.map((c) => element("tr", { "data-contract": c.id },
      element("th", { scope: "row", text: sentence(c.kind) }),
      element("td", { "data-label": "Signed", text: c.signedOn }), element("td", { "data-label": "Starts", text: c.startsOn }),
      element("td", { "data-label": "Ends", text: c.endsOn }),
      element("td", { class: "num", "data-label": "Value", text: money(c.value) }))));
    keepTableRoles($("contracts-table"));
    $("contracts-empty").hidden = health.activeContracts.length > 0;
    $("contracts-scroll").hidden = health.activeContracts.length === 0;
    $("client-body").hidden = false;
  }

  // ---------- wiring ----------
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    if (!sessionStorage.getItem(KEY_STORAGE)) { showError(new ApiError(0, "Paste a tenant API key first.")); keyInput.focus(); return; }
    if (!fromInput.value || !toInput.value) { showError(new ApiError(0, "Choose the first and last day of the period.")); return; }
    loadScorecard();
    loadRisk();
    if (clientRoute()) route(false);
  });
  keyInput.addEventListener("input", () => { state.catalog = null; });
  $("forget").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    keyInput.value = "";
    state.catalog = null; state.scorecard = null; state.selected = null;
    state.chart?.destroy(); state.chart = null;
    $("scorecard").hidden = true; $("detail").hidden = true; $("risk").hidden = true;
    state.riskToken = (state.riskToken ?? 0) + 1; state.clientToken = (state.clientToken ?? 0) + 1;
    $("client-body").hidden = true;
    clearError();
    statusLine.textContent = "The key is forgotten.";
    if (clientRoute()) route(false);
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
  window.addEventListener("hashchange", () => route(true));
  if (saved) { keyInput.value = saved; loadScorecard(); loadRisk(); }
  route(false);
})();
