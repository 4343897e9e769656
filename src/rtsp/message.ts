import { MediaError } from "../core/errors.ts";
import { hasLineBreak } from "./params.ts";

/** RTSP version we speak (RFC 2326 6.1 / 7.1 start lines). */
export const RTSP_VERSION = "RTSP/1.0";

/**
 * Message headers (RFC 2326 12): names compare case-insensitively, order is
 * kept as received or as set, and a name may repeat (a camera offers Digest
 * and Basic in two WWW-Authenticate headers). `get` answers the first value;
 * use `getAll` where a header may repeat, because joining with commas is not
 * safe for WWW-Authenticate (its values contain commas).
 */
export class RtspHeaders {
  private readonly entries: [name: string, value: string][] = [];

  constructor(init?: Iterable<readonly [string, string]> | Record<string, string>) {
    if (!init) return;
    const pairs = Symbol.iterator in init ? (init as Iterable<readonly [string, string]>) : Object.entries(init);
    for (const [name, value] of pairs) this.append(name, value);
  }

  get(name: string): string | undefined {
    const key = name.toLowerCase();
    return this.entries.find(([n]) => n.toLowerCase() === key)?.[1];
  }

  getAll(name: string): string[] {
    const key = name.toLowerCase();
    return this.entries.filter(([n]) => n.toLowerCase() === key).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Replaces every value of `name` by one, at the place of the first (or at the end). */
  set(name: string, value: string): this {
    const key = name.toLowerCase();
    const at = this.entries.findIndex(([n]) => n.toLowerCase() === key);
    this.delete(name);
    if (at < 0) this.entries.push([name, value]);
    else this.entries.splice(at, 0, [name, value]);
    return this;
  }

  /** Adds a value, keeping any already there. */
  append(name: string, value: string): this {
    this.entries.push([name, value]);
    return this;
  }

  delete(name: string): boolean {
    const key = name.toLowerCase();
    const before = this.entries.length;
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i][0].toLowerCase() === key) this.entries.splice(i, 1);
    return this.entries.length !== before;
  }

  get size(): number {
    return this.entries.length;
  }

  /** [name, value] pairs in order, names as written. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (const [n, v] of this.entries) yield [n, v];
  }

  clone(): RtspHeaders {
    return new RtspHeaders(this.entries);
  }
}

export interface RtspRequest {
  method: string;
  uri: string;
  headers: RtspHeaders;
  body?: Uint8Array;
}

export interface RtspResponse {
  status: number;
  reason: string;
  headers: RtspHeaders;
  /** Empty when the message had none. */
  body: Uint8Array;
}

const encoder = new TextEncoder();

/** Start line, headers, blank line, body. Content-Length always matches the body. */
function serialize(startLine: string, headers: RtspHeaders, body: Uint8Array | undefined): Uint8Array {
  const h = headers.clone();
  // RFC 2326 12.14: Content-Length is required with a body; without one the body is empty.
  if (body && body.length > 0) h.set("Content-Length", String(body.length));
  else h.delete("Content-Length");
  let text = `${startLine}\r\n`;
  for (const [name, value] of h) {
    if (hasLineBreak(name) || hasLineBreak(value) || name.includes(":")) {
      throw new MediaError(`RTSP header ${JSON.stringify(name)} would break the message framing`);
    }
    text += `${name}: ${value}\r\n`;
  }
  text += "\r\n";
  const head = encoder.encode(text);
  if (!body || body.length === 0) return head;
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

/** `METHOD uri RTSP/1.0` (RFC 2326 6.1); adds Content-Length when there is a body. */
export function serializeRequest(req: RtspRequest): Uint8Array {
  if (!/^[A-Za-z_-]+$/.test(req.method) || /[\s]/.test(req.uri) || req.uri === "") {
    throw new MediaError(`bad RTSP request line: ${JSON.stringify(`${req.method} ${req.uri}`)}`);
  }
  return serialize(`${req.method} ${req.uri} ${RTSP_VERSION}`, req.headers, req.body);
}

/** `RTSP/1.0 status reason` (RFC 2326 7.1); adds Content-Length when there is a body. */
export function serializeResponse(res: RtspResponse): Uint8Array {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 999 || hasLineBreak(res.reason)) {
    throw new MediaError(`bad RTSP status line: ${res.status} ${JSON.stringify(res.reason)}`);
  }
  return serialize(`${RTSP_VERSION} ${res.status} ${res.reason}`, res.headers, res.body);
}
