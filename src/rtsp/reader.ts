import { ParseError } from "../core/errors.ts";
import { contentLength, findHeadEnd, parseHead, probeStartLine } from "./head.ts";
import type { RtspRequest, RtspResponse } from "./message.ts";

/**
 * Largest header block (start line to blank line) we hold. Real responses are
 * well under 2 KiB; a DESCRIBE with many WWW-Authenticate and long Session
 * headers stays under 4 KiB. 16 KiB is also what nginx allows per header buffer.
 */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Largest body (by Content-Length) we buffer: SDPs are a few KiB; 1 MiB leaves room for any sane one. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Largest Content-Length we skip byte by byte when over MAX_BODY_BYTES; beyond it we resync instead. */
export const MAX_DISCARD_BYTES = 16 * 1024 * 1024;
/** Interleaved frames have a 16-bit length (RFC 2326 10.12), so 65535 is the format's own limit. */
export const MAX_INTERLEAVED_BYTES = 0xffff;

const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
/** RTP and RTCP both carry version 2 in the top two bits of their first byte (RFC 3550 5.1, 6.4.1). */
const RTP_VERSION = 2;

export type RtspItem =
  | { kind: "response"; response: RtspResponse }
  | { kind: "request"; request: RtspRequest }
  | { kind: "interleaved"; channel: number; payload: Uint8Array }
  | { kind: "error"; error: ParseError };

export interface RtspReaderStats {
  messages: number;
  frames: number;
  /** Error items emitted (each one lost a message). */
  errors: number;
  /** Runs of garbage scanned past before something plausible started. */
  resyncs: number;
  /** Bytes dropped: garbage, oversized bodies, heads we gave up on. */
  bytesSkipped: number;
  /** Header lines without a colon, dropped. */
  badHeaderLines: number;
}

/** What we are filling across pushes: a frame payload, a body, or bytes to throw away. */
type Fill =
  | { kind: "interleaved"; channel: number; buf: Uint8Array; filled: number }
  | { kind: "body"; head: ReturnType<typeof parseHead>["head"]; buf: Uint8Array; filled: number }
  | { kind: "discard"; left: number };

/**
 * Splits an RTSP connection's bytes into messages and `$`-framed interleaved
 * packets (RFC 2326 10.12), across any chunk boundaries.
 *
 * - `push` never throws. A message we cannot take (header block over
 *   MAX_HEADER_BYTES, bad or oversized Content-Length) becomes an `error`
 *   item in place, and reading goes on: the reader skips to the next thing
 *   that looks like a start. Callers that wait on a response should treat an
 *   error item as "a response was lost" (a client usually closes then).
 * - Garbage (stray bytes after a frame, junk some cameras emit) is skipped up
 *   to the next plausible start: `$` with an accepted channel and an RTP
 *   version-2 first byte, `RTSP/x.y nnn`, or a request line with a method of
 *   RFC 2326 10. CR and LF between items are skipped silently (RFC 2616 4.1).
 * - An interleaved payload wholly inside the pushed chunk is a view of that
 *   chunk (no copy), valid as long as the chunk's bytes are: a caller that
 *   reads every chunk into one buffer (tcp-deno.ts) must be done with the
 *   payloads before it reads again. A payload spanning chunks is copied once
 *   into a buffer of its own. Message bodies are always copies: a response
 *   is awaited, and read after the chunk is gone.
 * - Memory: at most MAX_HEADER_BYTES of partial start/head, plus one
 *   frame (<= 65535) or body (<= MAX_BODY_BYTES) being filled.
 */
export class RtspReader {
  readonly stats: RtspReaderStats = { messages: 0, frames: 0, errors: 0, resyncs: 0, bytesSkipped: 0, badHeaderLines: 0 };
  private carry: Uint8Array = new Uint8Array(0);
  private fill: Fill | undefined;
  private inGarbage = false;
  private channelOk: (channel: number) => boolean = () => true;
  /** First LF at or after `lfFrom` in `lfData` (-1: none), so garbage scans search each byte once. */
  private lfData: Uint8Array | undefined;
  private lfFrom = 0;
  private lfIndex = -1;

  /** Interleaved channels to accept (from the SETUP Transport); undefined accepts 0..255. */
  setChannels(channels: Iterable<number> | undefined): void {
    if (channels === undefined) {
      this.channelOk = () => true;
      return;
    }
    const set = new Set(channels);
    this.channelOk = (c) => set.has(c);
  }

  /** Bytes held between pushes (partial head, or the frame/body being filled). */
  get buffered(): number {
    const f = this.fill;
    return this.carry.length + (f && f.kind !== "discard" ? f.buf.length : 0);
  }

  push(chunk: Uint8Array): RtspItem[] {
    const out: RtspItem[] = [];
    let data = chunk;
    let i = 0;
    if (this.fill) {
      i = this.continueFill(data, out);
      if (this.fill) return out;
    }
    if (this.carry.length > 0) {
      data = concat(this.carry, data.subarray(i));
      this.carry = new Uint8Array(0);
      i = 0;
    }
    while (i < data.length) {
      const next = this.step(data, i, out);
      if (next >= 0) {
        i = next;
      } else if (data.length - i <= MAX_HEADER_BYTES) {
        // Need more bytes: keep the undecided tail (a partial `$` header, start line or head).
        this.carry = data.slice(i);
        break;
      } else {
        // The probes never ask to wait on more than that; should one, the bound still holds.
        this.skipByte();
        i++;
      }
    }
    this.lfData = undefined;
    return out;
  }

  /** One item (or one skipped byte) at `i`; returns where to go on, or -1 for "need more". */
  private step(data: Uint8Array, i: number, out: RtspItem[]): number {
    const b = data[i];
    if (!this.inGarbage && (b === CR || b === LF)) return i + 1;
    if (b === DOLLAR) {
      if (data.length - i < 4) return -1;
      const channel = data[i + 1];
      const length = (data[i + 2] << 8) | data[i + 3];
      const first = data[i + 4];
      const rtpLike = length === 0 || first === undefined || first >> 6 === RTP_VERSION;
      if (this.channelOk(channel) && rtpLike) return this.startFrame(data, i, channel, length, out);
    } else {
      const probe = probeStartLine(data, i, this.inGarbage, this.lfAt(data, i));
      if (probe === "more") return -1;
      if (probe === "yes") return this.startMessage(data, i, out);
    }
    this.skipByte();
    return i + 1;
  }

  private skipByte(): void {
    if (!this.inGarbage) this.stats.resyncs++;
    this.inGarbage = true;
    this.stats.bytesSkipped++;
  }

  private lfAt(data: Uint8Array, at: number): number {
    if (data !== this.lfData || at < this.lfFrom || (this.lfIndex >= 0 && at > this.lfIndex)) {
      this.lfData = data;
      this.lfFrom = at;
      this.lfIndex = data.indexOf(LF, at);
    }
    return this.lfIndex;
  }

  private startFrame(data: Uint8Array, i: number, channel: number, length: number, out: RtspItem[]): number {
    this.inGarbage = false;
    const start = i + 4;
    if (data.length - start >= length) {
      this.stats.frames++;
      out.push({ kind: "interleaved", channel, payload: data.subarray(start, start + length) });
      return start + length;
    }
    const buf = new Uint8Array(length);
    buf.set(data.subarray(start));
    this.fill = { kind: "interleaved", channel, buf, filled: data.length - start };
    return data.length;
  }

  private startMessage(data: Uint8Array, i: number, out: RtspItem[]): number {
    const end = findHeadEnd(data, i, MAX_HEADER_BYTES);
    if (end < 0) {
      if (data.length - i < MAX_HEADER_BYTES) return -1;
      // Give up on this head: drop its start line so we do not find it again, resync on the rest.
      const lf = data.indexOf(LF, i);
      return this.fail(`RTSP header block larger than ${MAX_HEADER_BYTES} bytes`, lf + 1 - i, i, out);
    }
    let parsed: ReturnType<typeof parseHead>;
    try {
      parsed = parseHead(data.subarray(i, end));
    } catch (e) {
      // The probe saw a start line in Latin-1; UTF-8 decoding can still disagree (a U+2028 in the URI).
      return this.fail(e instanceof Error ? e.message : String(e), data.indexOf(LF, i) + 1 - i, i, out);
    }
    this.inGarbage = false;
    const { head, badLines } = parsed;
    this.stats.badHeaderLines += badLines;
    const length = contentLength(head.headers);
    const what = head.kind === "response" ? `response ${head.status}` : `${head.method} request`;
    if (length === undefined) {
      return this.fail(`RTSP ${what} has a bad Content-Length: ${JSON.stringify(head.headers.getAll("content-length"))}`, end - i, i, out);
    }
    if (length > MAX_BODY_BYTES) {
      const skipped = this.fail(`RTSP ${what} body of ${length} bytes exceeds ${MAX_BODY_BYTES}`, end - i, i, out);
      if (length > MAX_DISCARD_BYTES) return skipped;
      const here = Math.min(length, data.length - skipped);
      this.stats.bytesSkipped += here;
      if (here < length) this.fill = { kind: "discard", left: length - here };
      return skipped + here;
    }
    if (data.length - end >= length) {
      this.emit(head, data.slice(end, end + length), out);
      return end + length;
    }
    const buf = new Uint8Array(length);
    buf.set(data.subarray(end));
    this.fill = { kind: "body", head, buf, filled: data.length - end };
    return data.length;
  }

  private fail(message: string, skip: number, i: number, out: RtspItem[]): number {
    this.stats.errors++;
    this.stats.bytesSkipped += skip;
    out.push({ kind: "error", error: new ParseError(message) });
    return i + skip;
  }

  private emit(head: ReturnType<typeof parseHead>["head"], body: Uint8Array, out: RtspItem[]): void {
    this.stats.messages++;
    if (head.kind === "response") {
      out.push({ kind: "response", response: { status: head.status, reason: head.reason, headers: head.headers, body } });
    } else {
      const request: RtspRequest = { method: head.method, uri: head.uri, headers: head.headers };
      if (body.length > 0) request.body = body;
      out.push({ kind: "request", request });
    }
  }

  /** Feeds the pending fill from the chunk's start; returns the bytes taken. */
  private continueFill(data: Uint8Array, out: RtspItem[]): number {
    const f = this.fill!;
    if (f.kind === "discard") {
      const n = Math.min(f.left, data.length);
      f.left -= n;
      this.stats.bytesSkipped += n;
      if (f.left === 0) this.fill = undefined;
      return n;
    }
    const n = Math.min(f.buf.length - f.filled, data.length);
    f.buf.set(data.subarray(0, n), f.filled);
    f.filled += n;
    if (f.filled < f.buf.length) return n;
    this.fill = undefined;
    if (f.kind === "interleaved") {
      this.stats.frames++;
      out.push({ kind: "interleaved", channel: f.channel, payload: f.buf });
    } else this.emit(f.head, f.buf, out);
    return n;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
