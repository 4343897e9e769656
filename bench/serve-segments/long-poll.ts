// bench/serve-segments/long-poll.ts: N LL-HLS players' playlist loops in one
// process, the load client of the blocking-reload benchmark
// (bench/serve-segments/blocking.sh, docs/BENCHMARKS.md). Run with Bun:
//
//   bun bench/serve-segments/long-poll.ts --url http://127.0.0.1:8888/demo/index.m3u8 \
//     --count 1000 --out FILE [--mode blocking|poll] [--interval 200]
//     [--concurrency 50] [--ready-timeout 60] [--seconds 600] [--reference]
//
// Each client is one keep-alive HTTP/1.1 connection (what a player opens),
// spoken by hand over Bun.connect: Bun's fetch queues requests beyond a
// couple of hundred in flight, which would starve clients at N = 1000.
//
// --mode blocking: the RFC 8216bis 6.2.5.2 loop. A first plain GET of the
// playlist, then `?_HLS_msn=M&_HLS_part=P` for the part after the newest one
// listed; on the answer, again for the next. On an error status the client
// waits 100 ms and resynchronizes with a plain GET, as players do.
// --mode poll: a plain GET every --interval ms (each client at a random
// phase), the way to follow parts without blocking reload.
//
// For every part (keyed by the running id in its URI, `…_p<id>.m4s`) and
// client it records when the client first saw it listed: the wall-clock
// time (performance.timeOrigin + now()) at the start of the socket callback
// that completed the answer. Parts a client skips (one answer listing
// several new ones) get that answer's time. With --reference it also
// records, per part, when the playlist's own clock says the part was
// complete: its segment's EXT-X-PROGRAM-DATE-TIME plus the durations of the
// parts up to and including it.
//
// Also per part: the time spent in this process's socket callbacks for the
// answers that brought it (a bound on how much of the measured spread is this
// client's own queueing); answers per second; statuses other than 200,
// connection losses, client timeouts; "stale" answers to a blocking request
// that do not list the part asked for (a server bug); "behind" answers that
// list more than one new part (the client was late).
//
// On SIGTERM, SIGINT or after --seconds it writes FILE (JSON) and exits.

import { writeFileSync } from "node:fs";
import type { Socket } from "bun";

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1]!;
  if (fallback !== undefined) return fallback;
  console.error(`long-poll: --${name} is required`);
  process.exit(2);
}

const url = new URL(arg("url"));
const count = Number(arg("count"));
const outFile = arg("out");
const mode = arg("mode", "blocking");
const intervalMs = Number(arg("interval", "200"));
const concurrency = Number(arg("concurrency", "50"));
const readyTimeoutMs = Number(arg("ready-timeout", "60")) * 1000;
const maxSeconds = Number(arg("seconds", "600"));
const reference = process.argv.includes("--reference");
if (url.protocol !== "http:") throw new Error(`--url must be http://, not "${url.href}"`);
if (mode !== "blocking" && mode !== "poll") throw new Error(`--mode must be blocking or poll, not "${mode}"`);
if (!(count > 0) || !(concurrency > 0) || !(intervalMs > 0)) throw new Error("--count, --concurrency and --interval must be > 0");
const host = url.hostname;
const port = Number(url.port || 80);
const target = url.pathname;

/** An answer header block larger than this is garbage, not a server talking. */
const MAX_HEADER = 16 * 1024;
/** A playlist larger than this is not one we asked for. */
const MAX_BODY = 4 * 1024 * 1024;
/** Wait before resynchronizing after an error status, as hls.js does (ms). */
const RETRY_MS = 100;
/** A request unanswered this long is given up and its connection replaced (ms); the server's own limit is 3 target durations. */
const CLIENT_TIMEOUT_MS = 15_000;

const now = (): number => performance.timeOrigin + performance.now();
const base = Math.floor(now());
const decoder = new TextDecoder();

// ---------------------------------------------------------------- records ----
/** Per part id: when each client first saw it (NaN: not yet). */
const seen = new Map<number, Float64Array>();
/** Per part id: ms spent in socket callbacks for answers whose newest part it was. */
const handling = new Map<number, number>();
/** Per part id (reference only): PROGRAM-DATE-TIME + durations up to its end, epoch ms. */
const mediaReady = new Map<number, number>();
/** Answers (any status) by second since `base`. */
const answersBySecond: number[] = [];
const errors: Record<string, number> = {};
let stale = 0;
let behind = 0;
let answers = 0;
let readyAt = 0;

function countError(what: string): void {
  errors[what] = (errors[what] ?? 0) + 1;
}

function record(client: number, from: number, to: number, t: number): void {
  for (let id = from + 1; id <= to; id++) {
    let row = seen.get(id);
    if (!row) {
      row = new Float64Array(count).fill(Number.NaN);
      seen.set(id, row);
    }
    if (Number.isNaN(row[client]!)) row[client] = t;
  }
}

// --------------------------------------------------------------- playlist ----
interface Edge {
  /** Running id of the newest part listed. */
  newest: number;
  /** Sequence number and part index of the part after it (what a blocking request asks for). */
  msn: number;
  part: number;
}

const PART = "#EXT-X-PART:";
const INF = "#EXTINF:";
const SEQ = "#EXT-X-MEDIA-SEQUENCE:";

/** The newest part and the next one to ask for; a sentence when the text is not an LL-HLS playlist. */
function parseEdge(text: string): Edge | string {
  if (!text.startsWith("#EXTM3U")) return "not a playlist";
  const seqAt = text.indexOf(SEQ);
  if (seqAt < 0) return "no EXT-X-MEDIA-SEQUENCE";
  const firstMsn = Number.parseInt(text.slice(seqAt + SEQ.length, seqAt + SEQ.length + 14), 10);
  let segments = 0;
  let lastInf = -1;
  for (let i = text.indexOf(INF); i >= 0; i = text.indexOf(INF, i + INF.length)) {
    segments++;
    lastInf = i;
  }
  let open = 0;
  for (let i = text.indexOf(PART, lastInf + 1); i >= 0; i = text.indexOf(PART, i + PART.length)) open++;
  const lastPart = text.lastIndexOf(PART);
  if (lastPart < 0) return "no EXT-X-PART (is hls.variant lowLatency?)";
  const uri = text.indexOf('URI="', lastPart);
  const p = uri < 0 ? -1 : text.indexOf("_p", uri);
  const newest = p < 0 ? Number.NaN : Number.parseInt(text.slice(p + 2, p + 16), 10);
  if (!Number.isFinite(firstMsn) || !Number.isFinite(newest)) return "unreadable EXT-X-MEDIA-SEQUENCE or part URI";
  return { newest, msn: firstMsn + segments, part: open };
}

/** Reference only: each listed part's end on the playlist's clock. */
function parseMediaReady(text: string): void {
  let start = Number.NaN;
  let offset = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
      start = Date.parse(line.slice(25));
      offset = 0;
    } else if (line.startsWith(PART)) {
      const d = /DURATION=([\d.]+)/.exec(line);
      const id = /_p(\d+)\.m4s/.exec(line);
      if (!d || !id) continue;
      offset += Number(d[1]) * 1000;
      const key = Number(id[1]);
      if (!mediaReady.has(key) && Number.isFinite(start)) mediaReady.set(key, start + offset);
    }
  }
}

// ----------------------------------------------------------------- client ----
class Client {
  private socket: Socket<undefined> | undefined;
  private pending: Uint8Array | undefined;
  private unsent: string | undefined;
  private newest = -1;
  private next: { msn: number; part: number } | undefined;
  private blocking = false;
  private phase = Math.random() * intervalMs;
  private slot = 0;
  sentAt = 0;
  ready = false;
  private onReady: (() => void) | undefined;

  constructor(private readonly index: number) {}

  /** Connects and fetches the playlist once; resolves when that is answered (or failed). */
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.onReady = resolve;
      void this.connect();
    });
  }

  private async connect(): Promise<void> {
    this.pending = undefined;
    this.unsent = undefined;
    try {
      this.socket = await Bun.connect({
        hostname: host,
        port,
        socket: {
          data: (_s, chunk) => this.onData(chunk),
          drain: () => this.flush(),
          close: (s) => this.onClose(s, "closed"),
          error: (s, e) => this.onClose(s, `socket error ${e.message}`),
        },
      });
    } catch (e) {
      countError(`connect: ${e instanceof Error ? e.message : String(e)}`);
      setTimeout(() => void this.connect(), 1000);
      return;
    }
    this.request();
  }

  private onClose(s: Socket<undefined>, why: string): void {
    if (s !== this.socket || stopping) return;
    countError(`connection ${why}`);
    this.socket = undefined;
    setTimeout(() => void this.connect(), RETRY_MS);
  }

  /** The next playlist request: blocking for the next part once in sync, plain otherwise. */
  request(): void {
    if (!this.socket) return;
    const next = mode === "blocking" ? this.next : undefined;
    this.blocking = next !== undefined;
    const query = next ? `?_HLS_msn=${next.msn}&_HLS_part=${next.part}` : "";
    this.unsent = `GET ${target}${query} HTTP/1.1\r\nHost: ${host}:${port}\r\nUser-Agent: long-poll-bench\r\n\r\n`;
    this.sentAt = now();
    this.flush();
  }

  private flush(): void {
    if (!this.socket || this.unsent === undefined) return;
    const n = this.socket.write(this.unsent);
    this.unsent = n >= this.unsent.length ? undefined : this.unsent.slice(Math.max(0, n));
  }

  /** Client-side timeout: replace the connection. */
  expire(): void {
    if (this.sentAt === 0 || now() - this.sentAt < CLIENT_TIMEOUT_MS) return;
    countError("client timeout (15 s)");
    this.sentAt = 0;
    const s = this.socket;
    this.socket = undefined;
    s?.end();
    void this.connect();
  }

  private onData(chunk: Uint8Array): void {
    const t = now();
    let buf = chunk;
    if (this.pending) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
      this.pending = undefined;
    }
    const head = headerEnd(buf);
    if (head < 0) {
      if (buf.length > MAX_HEADER) return this.fail("header too large");
      this.pending = buf;
      return;
    }
    const header = decoder.decode(buf.subarray(0, head));
    const status = Number.parseInt(header.slice(9, 12), 10);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(header);
    if (!m) return this.fail("answer without Content-Length");
    const length = Number(m[1]);
    if (length > MAX_BODY) return this.fail("answer too large");
    const end = head + 4 + length;
    if (buf.length < end) {
      this.pending = buf;
      return;
    }
    if (buf.length > end) return this.fail("bytes after the answer (none was asked for)");
    this.answer(status, decoder.decode(buf.subarray(head + 4, end)), t, /\r\nconnection:\s*close/i.test(header));
    // Time in this callback, the next request included: what this answer cost the client.
    if (this.newest >= 0) handling.set(this.newest, (handling.get(this.newest) ?? 0) + (now() - t));
  }

  private fail(why: string): void {
    countError(why);
    const s = this.socket;
    this.socket = undefined;
    s?.end();
    setTimeout(() => void this.connect(), RETRY_MS);
  }

  private answer(status: number, body: string, t: number, close: boolean): void {
    answers++;
    const second = Math.floor((t - base) / 1000);
    answersBySecond[second] = (answersBySecond[second] ?? 0) + 1;
    this.sentAt = 0;
    const wasBlocking = this.blocking;
    let retry = false;
    if (status !== 200) {
      countError(`HTTP ${status}${wasBlocking ? " (blocking)" : ""}`);
      this.next = undefined;
      retry = true;
    } else {
      const edge = parseEdge(body);
      if (typeof edge === "string") {
        countError(edge);
        retry = true;
      } else {
        if (reference) parseMediaReady(body);
        if (this.newest >= 0) {
          if (edge.newest > this.newest) {
            if (edge.newest > this.newest + 1) behind++;
            record(this.index, this.newest, edge.newest, t);
          } else if (wasBlocking) stale++;
        }
        if (edge.newest > this.newest) this.newest = edge.newest;
        this.next = { msn: edge.msn, part: edge.part };
      }
      if (!this.ready) {
        this.ready = true;
        this.onReady?.();
      }
    }
    if (close) {
      this.socket?.end();
      this.socket = undefined;
      setTimeout(() => void this.connect(), retry ? RETRY_MS : 0);
      return;
    }
    if (retry) setTimeout(() => this.request(), RETRY_MS);
    else if (mode === "poll") {
      // The next slot of this client's phase after the current one (a timer that fires a little early must not make two requests in one slot).
      this.slot = Math.max(this.slot + 1, Math.floor((now() - base - this.phase) / intervalMs) + 1);
      setTimeout(() => this.request(), Math.max(0, base + this.phase + this.slot * intervalMs - now()));
    } else this.request();
  }
}

function headerEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

// ------------------------------------------------------------------- run ----
let stopping = false;
const clients = Array.from({ length: count }, (_, i) => new Client(i));
const watchdog = setInterval(() => {
  for (const c of clients) c.expire();
}, 1000);

function write(): void {
  const round = (v: number) => (Number.isNaN(v) ? null : Math.round((v - base) * 100) / 100);
  const parts: Record<number, { t: (number | null)[]; h: number; media?: number | null }> = {};
  for (const [id, row] of seen) {
    const media = mediaReady.get(id);
    parts[id] = { t: Array.from(row, round), h: Math.round((handling.get(id) ?? 0) * 1000) / 1000, ...(media === undefined ? {} : { media: round(media) }) };
  }
  const out = {
    mode,
    count,
    interval: mode === "poll" ? intervalMs : undefined,
    reference,
    base,
    readyMs: readyAt ? Math.round(readyAt - base) : null,
    ready: clients.filter((c) => c.ready).length,
    answers,
    answersBySecond: Array.from(answersBySecond, (v) => v ?? 0),
    stale,
    behind,
    errors,
    parts,
  };
  writeFileSync(outFile, JSON.stringify(out));
}

function stop(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(watchdog);
  write();
  process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
setTimeout(stop, maxSeconds * 1000);

// Start `concurrency` clients at a time, each waiting for its first answer.
let started = 0;
async function starter(): Promise<void> {
  while (started < count && !stopping) {
    const c = clients[started++]!;
    await Promise.race([c.start(), new Promise((r) => setTimeout(r, 10_000))]);
  }
}
const t0 = now();
const all = Promise.all(Array.from({ length: Math.min(concurrency, count) }, starter));
await Promise.race([all, new Promise((r) => setTimeout(r, readyTimeoutMs))]);
readyAt = now();
console.log(`READY ${clients.filter((c) => c.ready).length}/${count} in ${((readyAt - t0) / 1000).toFixed(1)} s`);
