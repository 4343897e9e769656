import type { DepacketizedFrame, Depacketizer } from "../../src/rtp/depacketizer.ts";
import type { RtpPacket } from "../../src/rtp/packet.ts";

/** One packet of a case: sequence number, timestamp, marker, payload. */
export interface CasePacket {
  seq: number;
  ts: number;
  marker: boolean;
  payload: Uint8Array;
}

/** A frame as a case expects it. */
export interface CaseFrame {
  ts: number;
  key: boolean;
  units: Uint8Array[];
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, "");
  return new Uint8Array(clean.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}

/** A unit of `size` bytes: `head` bytes, then a counting pattern seeded by `seed`. */
export function unit(head: number[], size: number, seed = 0): Uint8Array {
  const out = new Uint8Array(size);
  out.set(head.slice(0, size));
  for (let i = head.length; i < size; i++) out[i] = (i * 7 + seed * 13 + 1) & 0xff;
  return out;
}

export function rtp(c: CasePacket): RtpPacket {
  return { marker: c.marker, payloadType: 96, sequence: c.seq & 0xffff, timestamp: c.ts >>> 0, ssrc: 0x1234, payload: c.payload };
}

/**
 * Decodes as the RTSP client feeds a depacketizer: every payload is read
 * into the same buffer, overwritten after each push (a depacketizer that
 * kept a view of an earlier packet gets garbage), and the frames, views
 * valid until the next push, are copied before it.
 */
export function decodeAll(d: Depacketizer, packets: readonly CasePacket[]): CaseFrame[] {
  const read = new Uint8Array(packets.reduce((n, p) => Math.max(n, p.payload.length), 0));
  return packets.flatMap((p) => {
    const payload = read.subarray(0, p.payload.length);
    payload.set(p.payload);
    const frames = d.push(rtp({ ...p, payload })).map(toCaseFrame);
    payload.fill(0xee);
    return frames;
  });
}

export function toCaseFrame(f: DepacketizedFrame): CaseFrame {
  return { ts: f.timestamp, key: f.key, units: f.units.map((u) => Uint8Array.from(u)) };
}

/** Packs frames with `packetize` and numbers the packets from `firstSeq`. */
export function encodeAll(
  packetize: (units: Uint8Array[], ts: number) => { payload: Uint8Array; marker: boolean; timestamp: number }[],
  frames: readonly CaseFrame[],
  firstSeq = 0,
): CasePacket[] {
  let seq = firstSeq;
  return frames.flatMap((f) => packetize(f.units, f.ts).map((p) => ({ seq: seq++ & 0xffff, ts: p.timestamp, marker: p.marker, payload: Uint8Array.from(p.payload) })));
}

/** Numbers packets from `first`, for cases written without sequence numbers. */
export function numbered(first: number, packets: Omit<CasePacket, "seq">[]): CasePacket[] {
  return packets.map((p, i) => ({ ...p, seq: (first + i) & 0xffff }));
}
