/**
 * What the dashboard knows, collected from the moment the app opens: time series over the
 * last ten minutes (seeded from the monitor's history), the latest stats, health, alerts
 * raised and resolved this session, per-track completion, and the server's gauges read
 * from /metrics and /api/metrics/endpoints while the dashboard is visible.
 */

import { getJSON, serverUrl } from "./api.mjs";
import { metricByLabel, metricValue, parsePrometheus } from "./prom.mjs";
import { TimeSeries, historyPoints, perSecond } from "./series.mjs";

const SOURCES = ["tier1", "tier2", "miss"];
export const PERCENTILES = ["p50", "p95", "p99"];
export const SERIES = [
  "tier1_mb", "tier2_mb", "tier1_hit", "tier2_hit", "overall_hit", "rps_total",
  ...SOURCES.map((s) => `rps_${s}`),
  ...PERCENTILES.flatMap((p) => SOURCES.map((s) => `${p}_${s}`)),
];

export class DashboardData extends EventTarget {
  constructor(feed) {
    super();
    this.series = Object.fromEntries(SERIES.map((name) => [name, new TimeSeries()]));
    this.stats = null;
    this.health = null;
    this.alerts = [];
    this.alertHistory = [];
    this.completion = new Map(); // track_id -> progress payload
    this.endpoints = null;
    this.gauges = null;
    this.lastRequests = null;
    this.lastBySource = null;
    this.updates = 0;
    feed.addEventListener("snapshot", (e) => this.snapshot(e.detail));
    feed.addEventListener("cache_stats", (e) => this.cacheStats(e.detail.data, e.detail.ts * 1000));
    feed.addEventListener("health_changed", (e) => { this.health = e.detail.data.health; this.changed(); });
    feed.addEventListener("alert", (e) => this.alert(e.detail));
    feed.addEventListener("track_cache_progress", (e) => { this.completion.set(e.detail.data.track_id, e.detail.data); this.changed(); });
    feed.addEventListener("cache_cleared", () => { this.completion.clear(); this.changed(); });
  }

  changed() {
    this.updates += 1;
    this.dispatchEvent(new Event("change"));
  }

  /** Seed the charts from the monitor's recent snapshots. */
  async seed() {
    const history = await getJSON(serverUrl("/api/cache/history")).catch(() => null);
    if (!history) return;
    const points = history.points;
    const pairs = [["tier1_mb", "tier1_size_mb", 1], ["tier2_mb", "tier2_size_mb", 1], ["tier1_hit", "tier1_hit_rate", 100],
      ["tier2_hit", "tier2_hit_rate", 100], ["overall_hit", "overall_hit_rate", 100]];
    for (const [name, field, factor] of pairs) this.series[name].seed(historyPoints(points, field, factor));
    const requests = historyPoints(points, "total_requests");
    const rates = requests.slice(1).map((p, i) => ({ t: p.t, v: perSecond(requests[i], p) })).filter((p) => p.v !== null);
    this.series.rps_total.seed(rates);
    this.changed();
  }

  snapshot(frame) {
    const data = frame.data;
    if (data.health) this.health = data.health;
    if (data.alerts) this.alerts = data.alerts;
    if (data.cache_stats) this.cacheStats(data.cache_stats, frame.ts * 1000);
    for (const track of data.tracks ?? []) if (track.cache) this.completion.set(track.id, { ...track.cache, title: track.title });
    this.changed();
  }

  cacheStats(stats, tMs) {
    this.stats = stats;
    const s = this.series;
    s.tier1_mb.push(tMs, stats.tier1.size_mb);
    s.tier2_mb.push(tMs, stats.tier2.size_mb);
    s.tier1_hit.push(tMs, stats.tier1.hit_rate * 100);
    s.tier2_hit.push(tMs, stats.tier2.hit_rate * 100);
    s.overall_hit.push(tMs, stats.overall.overall_hit_rate * 100);
    const requests = { t: tMs, v: stats.overall.requests ?? stats.overall.total_hits + stats.overall.total_misses };
    const rate = perSecond(this.lastRequests, requests);
    if (rate !== null) s.rps_total.push(tMs, rate);
    this.lastRequests = requests;
    for (const [id, track] of Object.entries(stats.tracks ?? {})) {
      const known = this.completion.get(Number(id));
      if (!known || known.source !== "warm") this.completion.set(Number(id), { ...known, ...track });
    }
    this.changed();
  }

  alert(frame) {
    const { state, alert } = frame.data;
    this.alertHistory.unshift({ state, alert, at: new Date(frame.ts * 1000) });
    this.alertHistory.splice(100);
    this.alerts = this.alerts.filter((a) => a.id !== alert.id);
    if (state !== "resolved") this.alerts.push(alert);
    this.changed();
  }

  /** Poll the gauges the feed does not carry (request rates and latency by source, warmer). */
  async poll() {
    const now = Date.now();
    const [endpoints, metricsText] = await Promise.all([
      getJSON(serverUrl("/api/metrics/endpoints")).catch(() => null),
      fetch(serverUrl("/metrics")).then((r) => (r.ok ? r.text() : null)).catch(() => null),
    ]);
    if (endpoints) {
      this.endpoints = endpoints;
      for (const source of SOURCES) {
        const by = endpoints.summary.by_source?.[source];
        if (!by || by.requests === 0) continue;
        for (const p of PERCENTILES) this.series[`${p}_${source}`].push(now, by[`${p}_ms`]);
      }
    }
    if (metricsText) {
      const samples = parsePrometheus(metricsText);
      const bySource = metricByLabel(samples, "masterstream_requests_total", "source");
      for (const source of SOURCES) {
        const rate = perSecond(this.lastBySource && { t: this.lastBySource.t, v: this.lastBySource.v[source] }, { t: now, v: bySource[source] ?? 0 });
        if (rate !== null) this.series[`rps_${source}`].push(now, rate);
      }
      this.lastBySource = { t: now, v: bySource };
      this.gauges = {
        warmerStreams: metricValue(samples, "masterstream_warmer_streams"),
        warmerRunning: metricValue(samples, "masterstream_warmer_running"),
        hotJobs: metricValue(samples, "masterstream_warmer_hot_jobs_total"),
        fillJobs: metricValue(samples, "masterstream_warmer_fill_jobs_total"),
        failedJobs: metricValue(samples, "masterstream_warmer_failed_jobs_total"),
        workersBusy: metricValue(samples, "masterstream_render_workers_busy"),
        warmingJobs: metricValue(samples, "masterstream_warming_jobs"),
        queued: metricByLabel(samples, "masterstream_render_queued", "lane"),
      };
    }
    this.changed();
  }
}
