import type { RtspItem } from "../../src/rtsp/reader.ts";

export const text = (s: string) => new TextEncoder().encode(s);
export const decode = (b: Uint8Array) => new TextDecoder().decode(b);

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `$` channel length payload (RFC 2326 10.12); the payload starts like RTP version 2. */
export function frame(channel: number, length: number, fill = 0x11): Uint8Array {
  const out = new Uint8Array(4 + length).fill(fill, 4);
  out[0] = 0x24;
  out[1] = channel;
  out[2] = length >> 8;
  out[3] = length & 0xff;
  if (length > 0) out[4] = 0x80;
  if (length > 1) out[5] = channel;
  return out;
}

/** Length and FNV-1a hash: compares payloads without building huge arrays. */
export function fingerprint(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${bytes.length}:${(h >>> 0).toString(16)}`;
}

/** Items reduced to comparable plain data. */
export function summary(items: RtspItem[]): unknown[] {
  return items.map((it) => {
    switch (it.kind) {
      case "interleaved":
        return { kind: it.kind, channel: it.channel, payload: fingerprint(it.payload) };
      case "response":
        return { kind: it.kind, status: it.response.status, reason: it.response.reason, headers: [...it.response.headers], body: decode(it.response.body) };
      case "request":
        return { kind: it.kind, method: it.request.method, uri: it.request.uri, headers: [...it.request.headers], body: it.request.body ? decode(it.request.body) : undefined };
      case "error":
        return { kind: it.kind, message: it.error.message };
    }
  });
}
