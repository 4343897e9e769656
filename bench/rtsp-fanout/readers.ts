// bench/rtsp-fanout/readers.ts: N RTSP readers over TCP interleaved in one
// process, the load client of the rtsp-fanout benchmark (docs/BENCHMARKS.md).
// Run with Bun:
//
//   bun bench/rtsp-fanout/readers.ts --url rtsp://127.0.0.1:8554/live \
//     --count 500 --stats FILE [--concurrency 25] [--keepalive 20]
//     [--ready-timeout 60] [--seconds 600]
//
// Each reader does what a player does: OPTIONS, DESCRIBE, SETUP of every
// track with `RTP/AVP/TCP;unicast;interleaved=2k-2k+1`, PLAY, then reads the
// interleaved frames (RFC 2326 10.12) and counts them; GET_PARAMETER every
// --keepalive seconds keeps the session (RFC 2326 10.8). It decodes nothing:
// a reader costs a socket read and a scan of the 4-byte frame headers and of
// the 12-byte RTP headers, so the client stays far cheaper than the servers
// it loads (500 ffmpeg processes would measure ffmpeg).
//
// Per reader it counts: bytes received after PLAY, RTP packets, sequence gaps
// (packets the server never sent: a shared-payloader server that drops for
// a slow client shows them), video frames (a new RTP timestamp on the first
// video track; a server that drops whole frames before packetizing shows no
// gap but fewer frames), and lag: how much later than at its best moment the
// newest video frame arrives, measured against its RTP timestamp (arrival
// time minus media time, minus the smallest such value seen). A reader that
// keeps up has a lag of a few frame intervals; one that falls behind, a lag
// that grows.
//
// Every second it writes the counters to --stats (JSON, written to FILE.tmp
// then renamed, so a reader of the file never sees half of it), with its own
// clock, so a harness can copy the file at the edges of a window and get
// rates over exactly the time between the two copies.

import { renameSync, writeFileSync } from "node:fs";
import type { Socket } from "bun";

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  if (fallback !== undefined) return fallback;
  console.error(`readers: --${name} is required`);
  process.exit(2);
}

const url = arg("url");
const count = Number(arg("count"));
const statsFile = arg("stats");
const concurrency = Number(arg("concurrency", "25"));
const keepaliveMs = Number(arg("keepalive", "20")) * 1000;
const readyTimeoutMs = Number(arg("ready-timeout", "60")) * 1000;
const maxSeconds = Number(arg("seconds", "600"));
const target = /^rtsp:\/\/([^/:]+):(\d+)(\/.*)?$/.exec(url);
if (!target) throw new Error(`--url must look like rtsp://host:port/path, not "${url}"`);
const host = target[1]!;
const port = Number(target[2]);
if (!(count > 0) || !(concurrency > 0)) throw new Error("--count and --concurrency must be > 0");

const CRLF2 = [13, 10, 13, 10];
/** An RTSP answer header block larger than this is garbage, not a server talking. */
const MAX_HEADER = 64 * 1024;
/** RTP timestamps of one frame differ by less than this many seconds of gap from the previous one; more is a jump (frames skipped). */
const JUMP_S = 1;

type State = "waiting" | "connecting" | "setup" | "playing" | "failed" | "closed";

interface Response {
  status: number;
  headers: Map<string, string>;
  body: string;
}

interface Media {
  kind: string;
  control: string;
  clock: number;
}

function parseSdp(sdp: string): { session: string | undefined; media: Media[] } {
  const media: Media[] = [];
  let session: string | undefined;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("m=")) media.push({ kind: line.slice(2).split(" ")[0]!, control: "", clock: 90000 });
    else if (line.startsWith("a=control:")) {
      const c = line.slice("a=control:".length);
      if (media.length === 0) session = c;
      else media[media.length - 1]!.control = c;
    } else if (line.startsWith("a=rtpmap:") && media.length > 0) {
      const m = /^a=rtpmap:\d+ [^/]+\/(\d+)/.exec(line);
      if (m) media[media.length - 1]!.clock = Number(m[1]);
    }
  }
  return { session, media };
}

/** RFC 2326 C.1.1: a control attribute is absolute, `*` (the base itself) or relative to the base. */
function resolveControl(base: string, control: string | undefined): string {
  if (!control || control === "*") return base;
  if (/^rtsp:\/\//i.test(control)) return control;
  return base.endsWith("/") ? base + control : `${base}/${control}`;
}

function indexOfCrlf2(buf: Uint8Array, from: number): number {
  for (let i = from; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

const decoder = new TextDecoder();

class Reader {
  state: State = "waiting";
  error = "";
  bytes = 0;
  packets = 0;
  gaps = 0;
  frames = 0;
  jumps = 0;
  lagMs = 0;
  /** Arrival time minus media time of the newest frame, ms, against an arbitrary origin: its change over a window is how much the reader fell behind in it. */
  delayMs = 0;
  private minDelay = Infinity;
  private socket: Socket<undefined> | undefined;
  private cseq = 0;
  private session = "";
  private aggregate = url;
  private pending: ((r: Response) => void) | undefined;
  private carry: Uint8Array | undefined;
  private bodyLeft = 0;
  /** A text answer whose body is still arriving. */
  private answer: { status: number; headers: Map<string, string>; body: Uint8Array[]; left: number } | undefined;
  private readonly lastSeq = new Map<number, number>();
  private videoChannel = -1;
  private videoClock = 90000;
  private lastTs = -1;
  private mediaTime = 0;
  private keepalive: ReturnType<typeof setInterval> | undefined;

  async run(): Promise<void> {
    this.state = "connecting";
    const deadline = performance.now() + readyTimeoutMs;
    for (;;) {
      try {
        await this.connect();
        await this.handshake();
        return;
      } catch (e) {
        this.socket?.end();
        this.socket = undefined;
        this.error = e instanceof Error ? e.message : String(e);
        // A server still preparing the stream answers 404/503 (ours before the first keyframe, GStreamer's shared media): try again.
        if (performance.now() > deadline || !/^(404|503|connect)/.test(this.error)) {
          this.state = "failed";
          return;
        }
        this.reset();
        await Bun.sleep(500);
      }
    }
  }

  private reset(): void {
    this.session = "";
    this.carry = undefined;
    this.bodyLeft = 0;
    this.answer = undefined;
    this.pending = undefined;
  }

  private async connect(): Promise<void> {
    try {
      this.socket = await Bun.connect({
        hostname: host,
        port,
        socket: {
          data: (_s, chunk) => this.onData(chunk),
          close: () => this.onClose("closed by the server"),
          error: (_s, e) => this.onClose(`socket error: ${e.message}`),
        },
      });
    } catch (e) {
      throw new Error(`connect: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private request(method: string, uri: string, extra: Record<string, string> = {}): Promise<Response> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error("not connected"));
    let text = `${method} ${uri} RTSP/1.0\r\nCSeq: ${++this.cseq}\r\nUser-Agent: rtsp-fanout-bench\r\n`;
    if (this.session) text += `Session: ${this.session}\r\n`;
    for (const [k, v] of Object.entries(extra)) text += `${k}: ${v}\r\n`;
    socket.write(`${text}\r\n`);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${method}: no answer in 20 s`)), 20_000);
      this.pending = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }

  private async expectOk(method: string, uri: string, extra: Record<string, string> = {}): Promise<Response> {
    const r = await this.request(method, uri, extra);
    if (r.status !== 200) throw new Error(`${r.status} on ${method} ${uri}`);
    return r;
  }

  private async handshake(): Promise<void> {
    this.state = "setup";
    await this.expectOk("OPTIONS", url);
    const d = await this.expectOk("DESCRIBE", url, { Accept: "application/sdp" });
    const base = d.headers.get("content-base") ?? d.headers.get("content-location") ?? url;
    const sdp = parseSdp(d.body);
    if (sdp.media.length === 0) throw new Error("DESCRIBE: SDP without media");
    for (let k = 0; k < sdp.media.length; k++) {
      const m = sdp.media[k]!;
      const s = await this.expectOk("SETUP", resolveControl(base, m.control), { Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * k}-${2 * k + 1}` });
      const transport = s.headers.get("transport") ?? "";
      const ch = /interleaved=(\d+)/.exec(transport);
      const channel = ch ? Number(ch[1]) : 2 * k;
      if (m.kind === "video" && this.videoChannel < 0) {
        this.videoChannel = channel;
        this.videoClock = m.clock;
      }
      this.session ||= (s.headers.get("session") ?? "").split(";")[0]!.trim();
    }
    this.aggregate = resolveControl(base, sdp.session);
    await this.expectOk("PLAY", this.aggregate, { Range: "npt=0.000-" });
    this.state = "playing";
    this.keepalive = setInterval(() => {
      if (this.state === "playing") this.request("GET_PARAMETER", this.aggregate).catch(() => {});
    }, keepaliveMs);
  }

  private onClose(why: string): void {
    clearInterval(this.keepalive);
    if (this.state === "playing") {
      this.state = "closed";
      this.error = why;
    }
  }

  close(): void {
    clearInterval(this.keepalive);
    this.socket?.end();
  }

  private onData(chunk: Uint8Array): void {
    if (this.state === "playing") this.bytes += chunk.length;
    let buf = chunk;
    if (this.carry) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
      this.carry = undefined;
    }
    const now = performance.now();
    const len = buf.length;
    let i = 0;
    while (i < len) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, len - i);
        i += n;
        this.bodyLeft -= n;
        continue;
      }
      if (this.answer) {
        const n = Math.min(this.answer.left, len - i);
        this.answer.body.push(buf.slice(i, i + n));
        i += n;
        this.answer.left -= n;
        if (this.answer.left === 0) this.finishAnswer();
        continue;
      }
      if (buf[i] === 0x24) {
        // "$", channel, 16-bit length (RFC 2326 10.12); we also need the RTP header's first 12 bytes.
        if (len - i < 4) {
          this.carry = buf.slice(i);
          return;
        }
        const channel = buf[i + 1]!;
        const size = (buf[i + 2]! << 8) | buf[i + 3]!;
        const rtp = channel % 2 === 0 && size >= 12;
        if (rtp && len - i < 16) {
          this.carry = buf.slice(i);
          return;
        }
        if (rtp) this.onRtp(channel, buf, i + 4, now);
        i += 4;
        this.bodyLeft = size;
        continue;
      }
      const end = indexOfCrlf2(buf, i);
      if (end < 0) {
        if (len - i > MAX_HEADER) return this.fail("an RTSP answer header over 64 KiB");
        this.carry = buf.slice(i);
        return;
      }
      const head = decoder.decode(buf.subarray(i, end));
      i = end + CRLF2.length;
      const lines = head.split("\r\n");
      const status = /^RTSP\/1\.0 (\d{3})/.exec(lines[0]!);
      if (!status) return this.fail(`not an RTSP answer: "${lines[0]!.slice(0, 60)}"`);
      const headers = new Map<string, string>();
      for (const l of lines.slice(1)) {
        const c = l.indexOf(":");
        if (c > 0) headers.set(l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim());
      }
      const left = Number(headers.get("content-length") ?? 0);
      this.answer = { status: Number(status[1]), headers, body: [], left };
      if (left === 0) this.finishAnswer();
    }
  }

  private finishAnswer(): void {
    const a = this.answer!;
    this.answer = undefined;
    const body = a.body.length === 0 ? "" : decoder.decode(Buffer.concat(a.body));
    const p = this.pending;
    this.pending = undefined;
    p?.({ status: a.status, headers: a.headers, body });
  }

  private fail(why: string): void {
    this.error = why;
    this.state = "failed";
    this.socket?.end();
  }

  private onRtp(channel: number, b: Uint8Array, o: number, now: number): void {
    this.packets++;
    const seq = (b[o + 2]! << 8) | b[o + 3]!;
    const last = this.lastSeq.get(channel);
    if (last !== undefined) {
      const missing = (seq - last - 1) & 0xffff;
      // Less than half the space: packets skipped; more: a duplicate or reorder, which TCP cannot produce.
      if (missing > 0 && missing < 0x8000) this.gaps += missing;
    }
    this.lastSeq.set(channel, seq);
    if (channel !== this.videoChannel) return;
    const ts = ((b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!) >>> 0;
    if (ts === this.lastTs) return;
    if (this.lastTs >= 0) {
      // Unwrapped media time (RFC 3550 5.1: the timestamp wraps at 2^32; random start).
      const step = ((ts - this.lastTs) | 0) / this.videoClock;
      if (step > JUMP_S) this.jumps++;
      this.mediaTime += step;
    }
    this.lastTs = ts;
    this.frames++;
    const delay = now - this.mediaTime * 1000;
    if (delay < this.minDelay) this.minDelay = delay;
    this.lagMs = delay - this.minDelay;
    this.delayMs = delay;
  }
}

const readers = Array.from({ length: count }, () => new Reader());
const started = performance.now();

function writeStats(): void {
  const states: Record<State, number> = { waiting: 0, connecting: 0, setup: 0, playing: 0, failed: 0, closed: 0 };
  for (const r of readers) states[r.state]++;
  const errors = new Map<string, number>();
  for (const r of readers) if (r.state === "failed" || r.state === "closed") errors.set(r.error, (errors.get(r.error) ?? 0) + 1);
  const json = JSON.stringify({
    t: performance.now() - started,
    count,
    states,
    errors: Object.fromEntries(errors),
    // Per reader: [state, bytes, packets, gaps, frames, jumps, lag ms, delay ms].
    readers: readers.map((r) => [r.state, r.bytes, r.packets, r.gaps, r.frames, r.jumps, Math.round(r.lagMs), Math.round(r.delayMs)]),
  });
  writeFileSync(`${statsFile}.tmp`, json);
  renameSync(`${statsFile}.tmp`, statsFile);
}

let next = 0;
async function worker(): Promise<void> {
  while (next < readers.length) await readers[next++]!.run();
}
const statsTimer = setInterval(writeStats, 1000);
writeStats();
void Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker)).then(() => {
  const s = readers.filter((r) => r.state === "playing").length;
  console.error(`readers: ${s}/${count} playing after ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const failed = new Map<string, number>();
  for (const r of readers) if (r.state === "failed") failed.set(r.error, (failed.get(r.error) ?? 0) + 1);
  for (const [why, n] of failed) console.error(`readers: ${n} failed: ${why}`);
  writeStats();
});

function stop(): void {
  clearInterval(statsTimer);
  writeStats();
  for (const r of readers) r.close();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, maxSeconds * 1000);
