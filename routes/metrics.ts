import { Hono } from "hono";
import type { ServerContext } from "../src/context.ts";
import type { Stream } from "../src/core/stream.ts";
import { LATENCY_BUCKETS } from "../src/hls/request-stats.ts";
import type { SourceState } from "../src/ingest/source-status.ts";

/** Source counters exported, with their metric name and help (Prometheus naming: _total for counters). */
const SOURCE_COUNTERS: Record<string, [string, string]> = {
  datagrams: ["mediaserver_udp_datagrams_total", "UDP datagrams received."],
  oddSizes: ["mediaserver_udp_odd_size_datagrams_total", "UDP datagrams whose size is not a multiple of 188 bytes."],
  ccErrors: ["mediaserver_ts_cc_errors_total", "MPEG-TS continuity counter errors."],
  resyncs: ["mediaserver_ts_resyncs_total", "Times the MPEG-TS reader lost and found packet sync."],
  pcrDiscontinuities: ["mediaserver_ts_pcr_discontinuities_total", "Unsignalled PCR jumps."],
  pesDropped: ["mediaserver_ts_pes_dropped_total", "PES packets dropped as damaged or oversized."],
  truncatedPackets: ["mediaserver_ts_truncated_packets_total", "TS packets cut short (a datagram ended inside one)."],
  unitsDroppedAfterLoss: ["mediaserver_ts_units_dropped_after_loss_total", "Video frames dropped until the next keyframe after a loss."],
  reconnects: ["mediaserver_source_reconnects_total", "Times a pulled source was dialled again."],
  packets: ["mediaserver_rtp_packets_total", "RTP packets received (RTSP cameras and publishers)."],
  lost: ["mediaserver_rtp_packets_lost_total", "RTP packets lost: gaps in sequence numbers (RFC 3550 A.3)."],
  badPackets: ["mediaserver_rtp_bad_packets_total", "Datagrams or frames that were not RTP, or not depacketizable."],
  framesDropped: ["mediaserver_rtp_frames_dropped_total", "Frames dropped as damaged by loss (until the next keyframe)."],
};
const STATES: readonly SourceState[] = ["starting", "running", "idle", "failed", "stopped"];

/** Label values: backslash, quote and newline escaped (Prometheus text format 0.0.4). */
function label(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** GET /metrics in the Prometheus text format. Built per scrape: scrapes are rare, unlike playlist requests. */
export function metricsRoutes(ctx: ServerContext): Hono {
  const app = new Hono();
  app.get("/metrics", (c) => {
    const out: string[] = [];
    const family = (name: string, type: string, help: string, samples: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples);
    };
    const streams = ctx.registry.list();
    const perPath = (name: string, help: string, value: (s: Stream) => number) =>
      family(name, "counter", help, streams.map((s) => `${name}{path="${label(s.path)}"} ${value(s)}`));
    perPath("mediaserver_stream_bytes_in_total", "Payload bytes published into a path.", (s) => s.counters.bytesIn);
    perPath("mediaserver_stream_bytes_out_total", "Bytes sent to viewers of a path.", (s) => s.counters.bytesOut);
    perPath("mediaserver_stream_frames_dropped_total", "Frames skipped by readers that fell behind.", (s) => s.unitsDropped);
    const readers: string[] = [];
    for (const s of streams) {
      const byProtocol = new Map<string, number>();
      for (const r of s.readers) byProtocol.set(r.protocol, (byProtocol.get(r.protocol) ?? 0) + 1);
      for (const [protocol, n] of byProtocol) readers.push(`mediaserver_stream_readers{path="${label(s.path)}",protocol="${label(protocol)}"} ${n}`);
    }
    family("mediaserver_stream_readers", "gauge", "Readers of a path by protocol.", readers);
    const statuses = streams.flatMap((s) => (s.source ? [{ path: s.path, status: s.source.status() }] : []));
    family(
      "mediaserver_source_state",
      "gauge",
      "1 for the state each path's source is in.",
      statuses.flatMap(({ path, status }) => STATES.map((st) => `mediaserver_source_state{path="${label(path)}",kind="${status.kind}",state="${st}"} ${status.state === st ? 1 : 0}`)),
    );
    for (const [key, [name, help]] of Object.entries(SOURCE_COUNTERS)) {
      const samples = statuses.filter(({ status }) => key in status.counters).map(({ path, status }) => `${name}{path="${label(path)}"} ${status.counters[key]}`);
      if (samples.length > 0) family(name, "counter", help, samples);
    }
    if (ctx.whep) family("mediaserver_webrtc_sessions", "gauge", "WebRTC (WHEP) sessions open.", [`mediaserver_webrtc_sessions ${ctx.whep.count}`]);
    const requests = ctx.hls.requests;
    family(
      "mediaserver_hls_requests_total",
      "counter",
      "HLS requests answered, by path and kind (multivariant, playlist, blocking_playlist, segment, part, init).",
      requests.countEntries().map((e) => `mediaserver_hls_requests_total{path="${label(e.path)}",kind="${e.kind}"} ${e.count}`),
    );
    family(
      "mediaserver_hls_request_seconds",
      "histogram",
      "Seconds to answer an HLS request (to the first byte; blocking playlist requests include the wait), by kind.",
      requests.latencyEntries().flatMap(({ kind, histogram: h }) => [
        ...LATENCY_BUCKETS.map((le, i) => `mediaserver_hls_request_seconds_bucket{kind="${kind}",le="${le}"} ${h.buckets[i]}`),
        `mediaserver_hls_request_seconds_bucket{kind="${kind}",le="+Inf"} ${h.count}`,
        `mediaserver_hls_request_seconds_sum{kind="${kind}"} ${h.sum}`,
        `mediaserver_hls_request_seconds_count{kind="${kind}"} ${h.count}`,
      ]),
    );
    const m = ctx.runtime.memory();
    family("process_resident_memory_bytes", "gauge", "Resident set size in bytes.", [`process_resident_memory_bytes ${m.rss}`]);
    family("mediaserver_js_heap_used_bytes", "gauge", "JavaScript heap in use, in bytes.", [`mediaserver_js_heap_used_bytes ${m.heapUsed}`]);
    return c.text(`${out.join("\n")}\n`, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" });
  });
  return app;
}
