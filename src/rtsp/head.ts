import { ParseError } from "../core/errors.ts";
import { RtspHeaders } from "./message.ts";

/** Methods of RFC 2326 10 (plus none else): what we trust as a request start while resyncing. */
export const KNOWN_METHODS = new Set([
  "DESCRIBE", "ANNOUNCE", "GET_PARAMETER", "OPTIONS", "PAUSE", "PLAY",
  "RECORD", "REDIRECT", "SETUP", "SET_PARAMETER", "TEARDOWN",
]);

/** Longest method token we accept; the longest of RFC 2326 10 is 13 (GET_PARAMETER, SET_PARAMETER). */
const MAX_METHOD_LENGTH = 32;
/**
 * Longest start line: camera URIs stay under 300 bytes; 4 KiB is what many
 * HTTP servers allow for a request line. Bounds the work per garbage byte.
 */
export const MAX_START_LINE_BYTES = 4096;

const LF = 0x0a;

/** RFC 2326 7.1 Status-Line; the reason may be missing (`RTSP/1.0 200` from some DVRs). */
const STATUS_LINE = /^RTSP\/\d\.\d (\d{3})(?: (.*))?$/;
/** RFC 2326 6.1 Request-Line. */
const REQUEST_LINE = /^([A-Z][A-Z_-]*) (\S+) RTSP\/\d\.\d$/;
export type Probe = "yes" | "no" | "more";

const SP = 0x20;
const CR = 0x0d;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;
const isMethodChar = (b: number) => isUpper(b) || b === 0x5f || b === 0x2d;
/** `RTSP/d.d`, byte by byte (0 stands for a digit). */
const VERSION = [0x52, 0x54, 0x53, 0x50, 0x2f, 0, 0x2e, 0];

/** Matches VERSION at `i`; returns the index after it, -1 on mismatch, -2 when `end` cuts it short. */
function matchVersion(data: Uint8Array, i: number, end: number): number {
  for (let k = 0; k < VERSION.length; k++, i++) {
    if (i >= end) return -2;
    if (VERSION[k] === 0 ? !isDigit(data[i]) : data[i] !== VERSION[k]) return -1;
  }
  return i;
}

/** After the version (request) or status code (response): nothing, or CR, up to the line end. */
function atLineEnd(data: Uint8Array, i: number, end: number, complete: boolean): Probe {
  if (i >= end) return complete ? "yes" : "more";
  if (data[i] === CR && i + 1 === end) return complete ? "yes" : "more";
  return "no";
}

/** RFC 2326 7.1 `RTSP/d.d ddd[ reason]`, the reason being optional for some DVRs. */
function probeStatus(data: Uint8Array, at: number, end: number, complete: boolean): Probe {
  let i = matchVersion(data, at, end);
  if (i === -1) return "no";
  if (i === -2) return complete ? "no" : "more";
  for (let k = 0; k < 4; k++, i++) {
    if (i >= end) return complete ? "no" : "more";
    if (k === 0 ? data[i] !== SP : !isDigit(data[i])) return "no";
  }
  if (i < end && data[i] === SP) return complete ? "yes" : "more";
  return atLineEnd(data, i, end, complete);
}

/** RFC 2326 6.1 `METHOD uri RTSP/d.d`; `strict` allows only the methods of RFC 2326 10. */
function probeRequest(data: Uint8Array, at: number, end: number, complete: boolean, strict: boolean): Probe {
  let i = at;
  while (i < end && isMethodChar(data[i]) && i - at <= MAX_METHOD_LENGTH) i++;
  if (i - at > MAX_METHOD_LENGTH) return "no";
  let method = "";
  for (let k = at; k < i; k++) method += String.fromCharCode(data[k]);
  if (i >= end) {
    if (complete) return "no";
    return !strict || [...KNOWN_METHODS].some((m) => m.startsWith(method)) ? "more" : "no";
  }
  if (data[i] !== SP || (strict && !KNOWN_METHODS.has(method))) return "no";
  const uriStart = ++i;
  while (i < end && data[i] > SP && data[i] !== 0x7f) i++;
  if (i >= end) return complete ? "no" : "more";
  if (i === uriStart || data[i] !== SP) return "no";
  const after = matchVersion(data, i + 1, end);
  if (after === -1) return "no";
  if (after === -2) return complete ? "no" : "more";
  return atLineEnd(data, after, end, complete);
}

/**
 * Could a message start at `data[at]`? "more" when the start line is not
 * complete yet but everything so far fits. `strict` (used while resyncing
 * after garbage) accepts only the methods of RFC 2326 10, so that junk that
 * merely looks like `WORD ` is not taken for an extension method. `lf` is the
 * first LF at or after `at` (a reader scanning garbage passes a cached one, so
 * a long run without LF is not searched again at every byte). Works on bytes,
 * without decoding, so scanning garbage costs little per byte.
 */
export function probeStartLine(data: Uint8Array, at: number, strict: boolean, lf = data.indexOf(LF, at)): Probe {
  // A start line begins with a capital letter: the R of RTSP/ or a method.
  if (!isUpper(data[at])) return "no";
  const limit = Math.min(data.length, at + MAX_START_LINE_BYTES);
  const complete = lf >= 0 && lf < limit;
  if (!complete && limit < data.length) return "no";
  const end = complete ? lf : limit;
  const status = probeStatus(data, at, end, complete);
  return status !== "no" ? status : probeRequest(data, at, end, complete, strict);
}

/** Index just past the blank line ending the header block (CRLFCRLF, or bare LFs), or -1. */
export function findHeadEnd(data: Uint8Array, at: number, limit: number): number {
  const end = Math.min(data.length, at + limit);
  for (let i = data.indexOf(LF, at); i >= 0 && i < end; i = data.indexOf(LF, i + 1)) {
    if (data[i + 1] === LF) return i + 2 <= end ? i + 2 : -1;
    if (data[i + 1] === 0x0d && data[i + 2] === LF) return i + 3 <= end ? i + 3 : -1;
  }
  return -1;
}

export type Head =
  | { kind: "response"; status: number; reason: string; headers: RtspHeaders }
  | { kind: "request"; method: string; uri: string; headers: RtspHeaders };

const decoder = new TextDecoder("utf-8");

/**
 * Parses a header block (start line through the blank line). Lines without a
 * colon are dropped (counted in `badLines`); lines starting with a space or
 * tab continue the previous value (RFC 2616 2.2 LWS folding).
 */
export function parseHead(bytes: Uint8Array): { head: Head; badLines: number } {
  const lines = decoder.decode(bytes).split(/\r?\n/);
  const start = lines[0];
  const headers = new RtspHeaders();
  const pairs: [string, string][] = [];
  let badLines = 0;
  for (const line of lines.slice(1)) {
    if (line === "" || line === "\r") continue;
    if ((line[0] === " " || line[0] === "\t") && pairs.length > 0) {
      pairs[pairs.length - 1][1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    if (name === "" || /[\s]/.test(name)) {
      badLines++;
      continue;
    }
    pairs.push([name, line.slice(colon + 1).trim()]);
  }
  for (const [n, v] of pairs) headers.append(n, v);
  const status = STATUS_LINE.exec(start);
  if (status) return { head: { kind: "response", status: Number(status[1]), reason: status[2] ?? "", headers }, badLines };
  const request = REQUEST_LINE.exec(start);
  if (request) return { head: { kind: "request", method: request[1], uri: request[2], headers }, badLines };
  throw new ParseError(`not an RTSP start line: ${JSON.stringify(start.slice(0, 80))}`);
}

/**
 * Content-Length (RFC 2326 12.14): absent means 0. Repeated headers must
 * agree; signs, fractions, hex and empty values are refused (undefined).
 */
export function contentLength(headers: RtspHeaders): number | undefined {
  const values = headers.getAll("content-length").map((v) => v.trim());
  if (values.length === 0) return 0;
  if (!values.every((v) => v === values[0]) || !/^\d{1,15}$/.test(values[0])) return undefined;
  return Number(values[0]);
}
