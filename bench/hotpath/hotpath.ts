// bench/hotpath: in-process, deterministic CPU profile of the ingest → HLS hot
// path, for optimising it on a busy machine. It replays a real capture through
// the same objects the server wires together (StreamRegistry, HlsManager with
// alwaysRemux, the server's ChunkPool sizes) and reports process CPU time
// (user + system, all threads: GC and allocator included) per MB of input,
// minor page faults per MB and, with --alloc, typed-array bytes allocated per
// MB. CPU time per MB moves far less with other load than wall time does.
//
//   bun bench/hotpath/hotpath.ts --mode ts    # 1316-byte datagrams, batched as
//       udp.ts batches them, → TsIngest (demuxer, access-unit reader) → Stream
//       → HLS muxer → segments. Clip: the udp-ingest one (1080p30, 25 Mbit/s).
//   bun bench/hotpath/hotpath.ts --mode rtp   # RTSP interleaved bytes in
//       TCP-sized chunks → RtspReader → RtpTrackSet (depacketizers) → Stream →
//       HLS. Clip: the rtsp-ingest camera (360p25 noise, ~1 Mbit/s + AAC).
//   bun bench/hotpath/hotpath.ts --mode udp   # a real loopback socket: the
//       udp-ingest sender (another process) → the runtime's receiveUdp →
//       TsIngest → … HLS. Paced in wall time; CPU counted in this process only.
//
// Options: --streams N (parallel streams, same input), --rounds N, --batch N
// (datagrams per batch, ts), --chunk N (interleaved frames per TCP read, rtp),
// --warmup S (media seconds replayed before measuring), --feeds N --mbps R
// --seconds S --receiver dgram --stage recv (udp: node:dgram instead of
// recvmmsg; receive without demuxing), --verify (SHA-256 of every segment
// of stream 0 and the error counters: must not change when optimising),
// --alloc (count Uint8Array allocations; slows things down, so CPU figures
// are not comparable in that run), --cache DIR (clips, default
// /tmp/hotpath-cache).
// Profile with: bun --cpu-prof-md --cpu-prof-dir=/tmp/prof bench/hotpath/hotpath.ts …
import { spawn } from "node:child_process";
import { createHash, type Hash } from "node:crypto";
import { readFileSync } from "node:fs";
import { setImmediate as tick } from "node:timers";
import { cameraClip, ensureClip, tsClip } from "./clips.ts";
import { countAllocations, type AllocCounts } from "./alloc.ts";

const argv = process.argv.slice(2);
function opt(name: string, fallback: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1]! : fallback;
}
const flag = (name: string): boolean => argv.includes(`--${name}`);

const mode = opt("mode", "ts");
const streams = Number(opt("streams", mode === "rtp" ? "10" : mode === "ts" ? "2" : "1"));
const rounds = Number(opt("rounds", "5"));
const batch = Number(opt("batch", "4"));
const chunkFrames = Number(opt("chunk", "1"));
const warmup = Number(opt("warmup", "40"));
const cache = opt("cache", "/tmp/hotpath-cache");
const verify = flag("verify");
const alloc: AllocCounts | undefined = flag("alloc") ? countAllocations() : undefined;

// Imported after countAllocations() so that the counting constructor is the one the code sees.
const { ChunkPool } = await import("../../src/core/chunk-pool.ts");
const { StreamRegistry } = await import("../../src/core/registry.ts");
const { HlsManager } = await import("../../src/hls/manager.ts");
const { HlsSchema, RingSchema } = await import("../../src/config/schema.ts");
const { TsIngest } = await import("../../src/ingest/ts/ts-ingest.ts");
const { RtpTrackSet } = await import("../../src/ingest/rtsp/rtp-track-set.ts");
const { RtspReader } = await import("../../src/rtsp/reader.ts");
const { parseSessionDescription } = await import("../../src/rtsp/sdp.ts");
const { buildRtpFeed } = await import("./rtp-feed.ts");
const { useStartCodeSearch } = await import("../../src/codec/annexb.ts");
const { startCodeSearchBun } = await import("../../src/runtime/start-code-bun.ts");
type Stream = import("../../src/core/stream.ts").Stream;
type HlsManagerT = import("../../src/hls/manager.ts").HlsManager;

/** As in src/server.ts: 1024 TS packets per chunk, 128 free chunks kept. */
const CHUNK_SIZE = 188 * 1024;
const MAX_FREE_CHUNKS = 128;
const DATAGRAM = 1316;

interface Sample {
  cpuUs: number;
  userUs: number;
  sysUs: number;
  faults: number;
  wallMs: number;
}
function sample(): Sample {
  const c = process.cpuUsage();
  return { cpuUs: c.user + c.system, userUs: c.user, sysUs: c.system, faults: process.resourceUsage().minorPageFault, wallMs: performance.now() };
}
function diff(a: Sample, b: Sample): Sample {
  return { cpuUs: b.cpuUs - a.cpuUs, userUs: b.userUs - a.userUs, sysUs: b.sysUs - a.sysUs, faults: b.faults - a.faults, wallMs: b.wallMs - a.wallMs };
}

/** The server's wiring: registry, pool, HLS manager starting a muxer per stream (alwaysRemux). */
function server(): { registry: InstanceType<typeof StreamRegistry>; hls: HlsManagerT; counters(): Record<string, number>; close(): void } {
  useStartCodeSearch(startCodeSearchBun);
  const registry = new StreamRegistry(RingSchema.parse({}));
  const pool = new ChunkPool(CHUNK_SIZE, MAX_FREE_CHUNKS);
  const hls = new HlsManager(registry, HlsSchema.parse({ alwaysRemux: true }), pool);
  const counters = (): Record<string, number> => {
    const out: Record<string, number> = { poolAllocated: pool.allocated, poolReused: pool.reused };
    for (const s of registry.list()) sum(out, { unitsIn: s.counters.unitsIn, unitsDropped: s.unitsDropped });
    return out;
  };
  return { registry, hls, counters, close: () => hls.close() };
}

/** Hashes every segment of one stream as it appears (the window keeps 7, we look after every step). */
class SegmentHasher {
  private readonly hash: Hash = createHash("sha256");
  private next = 0;
  segments = 0;
  bytes = 0;
  constructor(
    private readonly hls: HlsManagerT,
    private readonly path: string,
  ) {}
  poll(): void {
    for (const s of this.hls.peek(this.path)?.segments ?? []) {
      if (s.sequence < this.next) continue;
      if (s.sequence !== this.next) throw new Error(`segment ${this.next} missed`);
      for (const v of s.views()) this.hash.update(v);
      this.hash.update(`|${s.duration.toFixed(6)}|${s.discontinuity}|`);
      this.next++;
      this.segments++;
      this.bytes += s.byteLength;
    }
  }
  digest(): string {
    return this.hash.digest("hex").slice(0, 16);
  }
}

interface RoundResult {
  measured: Sample;
  mb: number;
  counters: Record<string, number>;
  hash?: string;
  segments?: number;
  segmentBytes?: number;
}

function sum(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) if (typeof v === "number") into[k] = (into[k] ?? 0) + v;
}

// ------------------------------------------------------------------- ts ----
async function roundTs(ts: Uint8Array): Promise<RoundResult> {
  const srv = server();
  const ingests = Array.from({ length: streams }, (_, i) => {
    const stream: Stream = srv.registry.create(`feed${i}`);
    return new TsIngest(stream);
  });
  const hasher = verify ? new SegmentHasher(srv.hls, "feed0") : undefined;
  // One reused batch buffer per receiver, filled with copies of the datagrams as udp.ts does
  // (node:dgram hands it one Buffer per datagram: here views made before measuring).
  const batchBuf = new Uint8Array(1 << 20);
  const datagrams = Math.floor(ts.length / DATAGRAM);
  const views = Array.from({ length: datagrams }, (_, d) => ts.subarray(d * DATAGRAM, (d + 1) * DATAGRAM));
  const seconds = clipSeconds;
  const warmDatagrams = Math.floor((datagrams * warmup) / seconds);
  let start: Sample | undefined;
  let bytes = 0;
  for (let d = 0; d < datagrams; d += batch) {
    if (d >= warmDatagrams && !start) {
      start = sample();
      alloc?.reset();
    }
    const n = Math.min(batch, datagrams - d);
    for (const ingest of ingests) {
      let used = 0;
      for (let k = 0; k < n; k++) {
        batchBuf.set(views[d + k]!, used);
        used += DATAGRAM;
      }
      ingest.push(batchBuf.subarray(0, used));
      if (start) bytes += used;
      await new Promise<void>((r) => tick(r));
    }
    hasher?.poll();
  }
  const measured = diff(start!, sample());
  const counters: Record<string, number> = {};
  for (const ing of ingests) sum(counters, ing.counters());
  sum(counters, srv.counters());
  srv.close();
  return { measured, mb: bytes / 1e6, counters, hash: hasher?.digest(), segments: hasher?.segments, segmentBytes: hasher?.bytes };
}

// ------------------------------------------------------------------ rtp ----
async function roundRtp(feed: ReturnType<typeof buildRtpFeed>): Promise<RoundResult> {
  const srv = server();
  const media = parseSessionDescription(feed.sdp).media;
  const sessions = Array.from({ length: streams }, (_, i) => {
    const stream = srv.registry.create(`cam${i}`);
    // As rtsp-source.ts: a new stream's session, channel 2k → track k, RTCP on odd channels.
    const set = RtpTrackSet.continuing(stream, media);
    for (const t of set.tracks) stream.setTrack(t.track);
    const reader = new RtspReader();
    let lastPacket = 0;
    const onData = (chunk: Uint8Array): void => {
      for (const item of reader.push(chunk)) {
        if (item.kind !== "interleaved" || item.channel % 2 === 1) continue;
        if (!set.rtp(item.channel / 2, item.payload)) continue;
        lastPacket = Date.now();
      }
    };
    return { set, onData, last: () => lastPacket };
  });
  const hasher = verify ? new SegmentHasher(srv.hls, "cam0") : undefined;
  const frames = feed.frames;
  let start: Sample | undefined;
  let bytes = 0;
  for (let f = 0; f < frames.length; f += chunkFrames) {
    if (feed.times[f]! >= warmup && !start) {
      start = sample();
      alloc?.reset();
    }
    const n = Math.min(chunkFrames, frames.length - f);
    let size = 0;
    for (let k = 0; k < n; k++) size += frames[f + k]!.length;
    for (const s of sessions) {
      // node:net hands each "data" event a new Buffer, and RtspReader keeps views of it.
      const chunk = Buffer.allocUnsafe(size);
      let at = 0;
      for (let k = 0; k < n; k++) {
        chunk.set(frames[f + k]!, at);
        at += frames[f + k]!.length;
      }
      s.onData(chunk);
      if (start) bytes += size;
      await new Promise<void>((r) => tick(r));
    }
    hasher?.poll();
  }
  const measured = diff(start!, sample());
  const counters: Record<string, number> = {};
  for (const s of sessions) sum(counters, { ...s.set.counters, lost: s.set.lost, framesDropped: s.set.framesDropped });
  sum(counters, srv.counters());
  srv.close();
  return { measured, mb: bytes / 1e6, counters, hash: hasher?.digest(), segments: hasher?.segments, segmentBytes: hasher?.bytes };
}

// ------------------------------------------------------------------ udp ----
async function roundUdp(file: string, round: number): Promise<RoundResult> {
  const { bunRuntime } = await import("../../src/runtime/bun.ts");
  const feeds = Number(opt("feeds", "2"));
  const mbps = Number(opt("mbps", "100"));
  const seconds = Number(opt("seconds", "15"));
  const udpWarmup = Number(opt("udp-warmup", "5"));
  const basePort = Number(opt("port", "25600")) + round * 16;
  // --receiver dgram: node:dgram instead of the Bun adapter's recvmmsg; --stage recv: receive only.
  if (opt("receiver", "default") === "dgram") process.env.UDP_RECVMMSG = "0";
  const receiveOnly = opt("stage", "full") === "recv";
  const srv = server();
  const receivers = [];
  const ingests = [];
  for (let i = 0; i < feeds; i++) {
    const ingest = new TsIngest(srv.registry.create(`feed${i}`));
    ingests.push(ingest);
    const onBatch = receiveOnly ? () => {} : (b: Uint8Array) => ingest.push(b);
    receivers.push(await bunRuntime.receiveUdp({ host: "127.0.0.1", port: basePort + i, receiveBuffer: 4 << 20 }, onBatch, (e) => console.error(e)));
  }
  const dest = Array.from({ length: feeds }, (_, i) => `127.0.0.1:${basePort + i}`).join(",");
  const sender = spawn(process.execPath, ["bench/udp-ingest/sender.ts", "--file", file, "--mbps", String(mbps), "--dest", dest, "--seconds", String(udpWarmup + seconds + 1)], { stdio: ["ignore", "ignore", "inherit"] });
  await new Promise((r) => setTimeout(r, udpWarmup * 1000));
  const bytes0 = receivers.reduce((n, r) => n + r.stats.bytes, 0);
  const start = sample();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const measured = diff(start, sample());
  const bytes = receivers.reduce((n, r) => n + r.stats.bytes, 0) - bytes0;
  const counters: Record<string, number> = {};
  for (const r of receivers) sum(counters, r.stats as unknown as Record<string, number>);
  for (const ing of ingests) sum(counters, ing.counters());
  sum(counters, srv.counters());
  sender.kill();
  for (const r of receivers) r.close();
  srv.close();
  return { measured, mb: bytes / 1e6, counters };
}

// ----------------------------------------------------------------- main ----
let clipSeconds = 90;
const results: RoundResult[] = [];
if (mode === "ts" || mode === "udp") {
  const file = ensureClip(tsClip(Number(opt("clip-mbps", "25")), clipSeconds), cache);
  const ts = new Uint8Array(readFileSync(file));
  for (let r = 0; r < rounds; r++) results.push(mode === "ts" ? await roundTs(ts) : await roundUdp(file, r));
} else if (mode === "rtp") {
  const file = ensureClip(cameraClip(Number(opt("clip-kbps", "1000")), clipSeconds), cache);
  const feed = buildRtpFeed(new Uint8Array(readFileSync(file)));
  clipSeconds = feed.times[feed.times.length - 1]!;
  for (let r = 0; r < rounds; r++) results.push(await roundRtp(feed));
} else {
  throw new Error(`--mode ts | rtp | udp, not ${mode}`);
}

const perMb = (r: RoundResult) => r.measured.cpuUs / r.mb;
for (const [i, r] of results.entries()) {
  const m = r.measured;
  console.log(
    `round ${i + 1}: ${r.mb.toFixed(1)} MB in ${(m.wallMs / 1000).toFixed(2)} s wall, CPU ${(m.cpuUs / 1000).toFixed(0)} ms ` +
      `(user ${(m.userUs / 1000).toFixed(0)}, sys ${(m.sysUs / 1000).toFixed(0)}): ${perMb(r).toFixed(0)} µs/MB, ` +
      `${(m.faults / r.mb).toFixed(1)} faults/MB` +
      (r.hash ? `, segments ${r.segments} (${r.segmentBytes} B) sha256 ${r.hash}` : ""),
  );
}
const sorted = results.map(perMb).sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
const last = results[results.length - 1]!;
const nonZero = Object.fromEntries(Object.entries(last.counters).filter(([, v]) => v !== 0));
console.log(`counters (last round): ${JSON.stringify(nonZero)}`);
if (alloc) {
  const mb = last.mb;
  console.log(
    `allocations per MB (last round, measured part): new Uint8Array ${(alloc.arrays / mb).toFixed(0)} (${(alloc.arrayBytes / mb / 1e3).toFixed(1)} kB), ` +
      `slice ${(alloc.slices / mb).toFixed(0)} (${(alloc.sliceBytes / mb / 1e3).toFixed(1)} kB), subarray ${(alloc.subarrays / mb).toFixed(0)}`,
  );
}
console.log(
  `RESULT mode=${mode} streams=${streams} rounds=${rounds} median ${median.toFixed(0)} µs CPU/MB ` +
    `(min ${sorted[0]!.toFixed(0)}, max ${sorted[sorted.length - 1]!.toFixed(0)}), ` +
    `faults/MB ${(last.measured.faults / last.mb).toFixed(1)}, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
);
