/**
 * The live dashboard: current figures, ten-minute charts, health with alerts (and their
 * history this session), renders and the warmer, per-track completion, admin actions.
 * Rendering only; DashboardData collects, AdminPanel acts.
 */

import { AdminPanel } from "./admin.mjs";
import { PERCENTILES } from "./dashboard-data.mjs";
import { plot, ticks, yRange } from "./charts.mjs";
import { $, h, mount } from "./dom.mjs";
import { formatMb, formatMs, formatPercent } from "./format.mjs";
import { TEN_MINUTES_MS } from "./series.mjs";

const POLL_MS = 2000;
const RPS_WINDOW_MS = 30_000;

function figure(label, value, fraction = null) {
  const bar = h("div");
  if (fraction !== null) bar.style.width = `${Math.min(100, Math.max(0, fraction * 100))}%`;
  return h("div", { class: "figure" }, h("span", { class: "label", text: label }), h("span", { class: "value", text: value }),
    fraction === null ? null : h("div", { class: "meter" }, bar));
}

const CARDS = [
  ["figures", "Current figures", "wide"], ["size", "Cache size (MB)"], ["hits", "Hit rate (%)"],
  ["rps", "Requests per second"], ["latency", "Latency by source (ms)"], ["health", "Health"],
  ["work", "Renders and warmer"], ["completion", "Cached per track"],
];

export class Dashboard {
  constructor({ data, tracks, player, visible }) {
    this.data = data;
    this.tracks = tracks;
    this.visible = visible;
    this.root = $("dashboard");
    this.frame = 0;
    this.pollTimer = null;
    this.admin = new AdminPanel({ tracks, player });
    this.percentile = "p95";
    data.addEventListener("change", () => this.schedule());
  }

  /** The view became visible or hidden: poll the server's gauges only while visible. */
  setVisible(visible) {
    clearInterval(this.pollTimer);
    if (visible) {
      this.data.poll();
      this.pollTimer = setInterval(() => this.data.poll(), POLL_MS);
      this.render();
    }
  }

  schedule() {
    if (!this.visible() || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  chart(label, names, { unit = "", floor = 0, limits = [] } = {}) {
    const now = Date.now();
    const all = names.map((name) => this.data.series[name].points);
    const values = all.flat().map((p) => p.v).concat(limits.map((l) => l.y));
    const y = yRange(values, { floor, minSpan: unit === "%" ? 10 : 1 });
    const xStart = now - TEN_MINUTES_MS;
    return h("div", {},
      plot({
        width: 360, height: 150, label, x: { min: xStart, max: now }, y,
        lines: all.map((points, i) => ({ points: points.map((p) => [p.t, p.v]), cls: `line s${i}` })),
        hlines: limits.map((l) => ({ ...l, cls: "limit" })),
        xTicks: [10, 5, 0].map((m) => ({ v: now - m * 60000, text: m === 0 ? "now" : `−${m} min` })),
        yTicks: ticks(y.min, y.max, 3).map((v) => ({ v, text: `${v}${unit}` })),
      }),
      h("ul", { class: "series-legend" }, names.map((name, i) => h("li", { class: `s${i}`, text: name.replace("_", " ") }))));
  }

  /** The cards, built once so the admin form keeps its focus and input across updates. */
  skeleton() {
    if (this.cards) return this.cards;
    this.cards = {};
    const grid = h("div", { class: "dash-grid" });
    for (const [name, title, wide] of CARDS) {
      const body = h("div");
      const heading = name === "figures" ? null : h("h2", { text: title });
      const extra = name === "latency" ? this.percentileButtons() : null;
      grid.append(h("section", { class: `dash-card ${wide ?? ""}`, "aria-label": title }, heading, extra, body));
      this.cards[name] = body;
    }
    grid.append(this.admin.element);
    mount(this.root, grid);
    return this.cards;
  }

  render() {
    const { stats, health, endpoints, gauges } = this.data;
    const cards = this.skeleton();
    if (!stats) {
      mount(cards.figures, h("p", { class: "muted", text: "Waiting for the live feed…" }));
      return;
    }
    const t1 = stats.tier1;
    const t2 = stats.tier2;
    const summary = endpoints?.summary;
    const latency = (source) => {
      const s = summary?.by_source?.[source];
      return s && s.requests > 0 ? `${formatMs(s.p50_ms)} / ${formatMs(s.p95_ms)} / ${formatMs(s.p99_ms)}` : "—";
    };
    const recent = this.data.series.rps_total.points.filter((p) => p.t > Date.now() - RPS_WINDOW_MS);
    const rps = recent.length ? recent.reduce((sum, p) => sum + p.v, 0) / recent.length : Number.NaN;
    const size = (label, tier) => figure(label, `${formatMb(tier.size_mb)} of ${formatMb(tier.capacity_mb)}`, tier.size_bytes / Math.max(1, tier.capacity_bytes));
    const status = health?.status ?? "healthy";
    mount(cards.figures, h("div", { class: "figures" },
      size("tier1 (memory)", t1), size("tier2 (disk)", t2),
      figure("hit rate tier1", formatPercent(t1.hit_rate)), figure("hit rate tier2", formatPercent(t2.hit_rate)),
      figure("hit rate overall", formatPercent(stats.overall.overall_hit_rate)),
      h("div", { class: "figure" }, h("span", { class: "label", text: "chunk requests" }), h("span", { class: "value", id: "total-requests", text: String(stats.overall.requests ?? 0) })),
      figure("requests / s (30 s)", Number.isFinite(rps) ? rps.toFixed(2) : "—"),
      figure("p50/p95/p99 tier1", latency("tier1")), figure("p50/p95/p99 tier2", latency("tier2")),
      figure("p50/p95/p99 miss", latency("miss"))));
    mount(cards.size, this.chart("Tier sizes over 10 minutes", ["tier1_mb", "tier2_mb"], { limits: [{ y: t1.capacity_mb, text: "tier1 capacity" }] }));
    mount(cards.hits, this.chart("Hit rates over 10 minutes", ["tier1_hit", "tier2_hit", "overall_hit"], { unit: "%" }));
    mount(cards.rps, this.chart("Chunk requests per second by source", ["rps_tier1", "rps_tier2", "rps_miss", "rps_total"]));
    const p = this.percentile;
    mount(cards.latency, this.chart(`${p} latency by source`, [`${p}_tier1`, `${p}_tier2`, `${p}_miss`]));
    mount(cards.health, h("p", {}, "Status ", h("span", { class: `health ${status}`, id: "health-status", text: status })), this.alertsView());
    mount(cards.work, this.workView(stats.render, gauges));
    mount(cards.completion, this.completionView());
  }

  /** p50 / p95 / p99 for the latency chart (built once: focus stays on them). */
  percentileButtons() {
    const buttons = PERCENTILES.map((p) => h("button", {
      type: "button", class: "small", "aria-pressed": String(p === this.percentile),
      onclick: () => {
        this.percentile = p;
        for (const b of buttons) b.setAttribute("aria-pressed", String(b.textContent === p));
        this.render();
      },
    }, p));
    return h("div", { class: "tabs", role: "group", "aria-label": "Latency percentile" }, buttons);
  }

  alertsView() {
    const { alerts, alertHistory } = this.data;
    const active = alerts.length === 0 ? [h("li", { class: "muted", text: "No active alerts." })]
      : alerts.map((a) => h("li", { class: a.level }, h("strong", { text: `${a.level}: ${a.title}` }), ` ${a.description}`));
    const history = alertHistory.map((entry) => h("li", { class: entry.state === "resolved" ? "resolved" : entry.alert.level },
      `${entry.at.toLocaleTimeString()} ${entry.state}: ${entry.alert.title} (${entry.alert.level})`));
    return h("div", {}, h("ul", { class: "alerts", id: "active-alerts" }, active), h("h3", { text: "This session" }),
      h("ul", { class: "alerts", id: "alert-history" }, history.length ? history : h("li", { class: "muted", text: "Nothing raised or resolved yet." })));
  }

  workView(render, gauges) {
    const lines = [
      ["Renders", `${render?.count ?? 0} (${render?.failures ?? 0} failed), avg ${formatMs(render?.avg_ms)}, p95 ${formatMs(render?.p95_ms)}`],
      ["Coalesced waiters", String(render?.coalesced_waiters ?? 0)],
      ["Rendering now", `${render?.in_flight ?? 0} in flight, ${render?.ondemand_waiting ?? 0} listeners waiting`],
    ];
    if (gauges) {
      const q = gauges.queued;
      lines.push(
        ["Warmer", gauges.warmerRunning ? `following ${gauges.warmerStreams} listener stream(s)` : "idle"],
        ["Warmer jobs", `${gauges.hotJobs} look-ahead, ${gauges.fillJobs} fill, ${gauges.failedJobs} failed`],
        ["Queue", `on demand ${q.ondemand ?? 0}, look-ahead ${q.lookahead ?? 0}, warm ${q.warm ?? 0}, background ${q.background ?? 0}`],
        ["Workers busy", `${gauges.workersBusy}, whole-track warming jobs ${gauges.warmingJobs}`]);
    }
    return h("dl", { class: "kv", id: "render-figures" }, lines.flatMap(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })]));
  }

  completionView() {
    const rows = [...this.data.completion.entries()].filter(([, c]) => (c.completion_percent ?? 0) > 0 || c.source);
    if (rows.length === 0) return h("p", { class: "muted", text: "Nothing cached yet." });
    return h("ul", { class: "completion", id: "completion" }, rows.map(([id, c]) => {
      const title = this.tracks.get(id)?.title ?? c.title ?? `track ${id}`;
      const variant = c.preset ? ` · ${c.preset} ${Number(c.intensity).toFixed(2)} ${c.format ?? ""}` : "";
      const bar = h("div");
      bar.style.width = `${Math.min(100, c.completion_percent ?? 0)}%`;
      return h("li", {}, h("span", { text: `${title}${variant}: ${(c.completion_percent ?? 0).toFixed(0)} %` }),
        h("div", { class: "meter", role: "progressbar", "aria-label": `${title} cached`, "aria-valuemin": 0, "aria-valuemax": 100, "aria-valuenow": Math.round(c.completion_percent ?? 0) }, bar));
    }));
  }
}
