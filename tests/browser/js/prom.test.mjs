import assert from "node:assert/strict";
import { test } from "node:test";

import { metricByLabel, metricValue, parsePrometheus } from "../../../src/masterstream/web/js/prom.mjs";

const TEXT = `# HELP masterstream_warmer_streams Playback streams the warmer follows.
# TYPE masterstream_warmer_streams gauge
masterstream_warmer_streams 2.0
masterstream_render_queued{lane="ondemand"} 1.0
masterstream_render_queued{lane="lookahead"} 3.0
masterstream_http_requests_total{method="GET",route="/a \\"b\\"",status="200"} 4.0
masterstream_request_duration_seconds_bucket{source="tier1",le="+Inf"} 7.0
not a sample line
`;

test("samples with labels, escaped quotes and infinities", () => {
  const samples = parsePrometheus(TEXT);
  assert.equal(samples.length, 5);
  assert.deepEqual(samples[3].labels, { method: "GET", route: '/a "b"', status: "200" });
  assert.equal(samples[4].labels.le, "+Inf");
  assert.equal(samples[4].value, 7);
});

test("values are summed over matching labels", () => {
  const samples = parsePrometheus(TEXT);
  assert.equal(metricValue(samples, "masterstream_warmer_streams"), 2);
  assert.equal(metricValue(samples, "masterstream_render_queued"), 4);
  assert.equal(metricValue(samples, "masterstream_render_queued", { lane: "lookahead" }), 3);
  assert.equal(metricValue(samples, "missing"), 0);
  assert.deepEqual(metricByLabel(samples, "masterstream_render_queued", "lane"), { ondemand: 1, lookahead: 3 });
});
