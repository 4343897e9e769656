import { ConfigError } from "../core/errors.ts";

/** One RTP payload and its marker bit; every packet of a call shares the timestamp given. */
export interface PacketizedPayload {
  payload: Uint8Array;
  marker: boolean;
  timestamp: number;
}

/**
 * Default largest RTP payload, in bytes, RTP header excluded: 1200 + 12 (RTP)
 * + 8 (UDP) + 40 (IPv6) stays under the 1280-byte IPv6 minimum MTU (RFC 8200
 * 5), so no path fragments it, VPNs and tunnels included.
 */
export const DEFAULT_MTU = 1200;
/** Size field in front of each aggregated NAL unit (RFC 6184 5.7.1, RFC 7798 4.4.2). */
const AGGREGATED_SIZE_FIELD = 2;

/** What differs between H.264 and H.265 packetization. */
export interface NalPayloadFormat {
  /** Bytes of the NAL unit header: 1 (H.264), 2 (H.265). */
  readonly headerSize: number;
  /** Header of an aggregation packet (STAP-A / AP) for these units. */
  aggregationHeader(units: readonly Uint8Array[]): Uint8Array;
  /** Header bytes of each fragment (FU indicator / PayloadHdr) then the FU header's type bits. */
  fragmentHeader(nal: Uint8Array): { prefix: Uint8Array; type: number };
}

/** FU header S and E bits: same place in RFC 6184 5.8 and RFC 7798 4.4.3. */
const FU_START = 0x80;
const FU_END = 0x40;

/**
 * Packs one access unit: small units are aggregated as long as they fit,
 * a unit on its own goes as a single NAL unit packet, a unit above `mtu`
 * is fragmented. The last packet carries the marker bit.
 */
export function packetizeNals(format: NalPayloadFormat, mtu: number, units: readonly Uint8Array[], timestamp: number): PacketizedPayload[] {
  const out: PacketizedPayload[] = [];
  let pending: Uint8Array[] = [];
  let pendingSize = format.headerSize;
  const flush = (): void => {
    if (pending.length === 1) out.push({ payload: pending[0]!, marker: false, timestamp });
    else if (pending.length > 1) out.push({ payload: aggregate(format, pending, pendingSize), marker: false, timestamp });
    pending = [];
    pendingSize = format.headerSize;
  };
  for (const nal of units) {
    if (nal.length <= format.headerSize) continue;
    if (nal.length > mtu) {
      flush();
      fragment(format, mtu, nal, timestamp, out);
      continue;
    }
    if (pending.length > 0 && pendingSize + AGGREGATED_SIZE_FIELD + nal.length > mtu) flush();
    pending.push(nal);
    pendingSize += AGGREGATED_SIZE_FIELD + nal.length;
  }
  flush();
  if (out.length > 0) out[out.length - 1]!.marker = true;
  return out;
}

export function checkMtu(format: NalPayloadFormat, mtu: number): number {
  // A fragment needs its headers and at least one byte of the NAL unit.
  const least = format.headerSize + 2;
  if (!Number.isInteger(mtu) || mtu < least) throw new ConfigError(`RTP: payload size ${mtu} is below the ${least} bytes a fragment needs`);
  return mtu;
}

function aggregate(format: NalPayloadFormat, units: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(format.aggregationHeader(units), 0);
  let at = format.headerSize;
  for (const u of units) {
    out[at] = u.length >> 8;
    out[at + 1] = u.length & 0xff;
    out.set(u, at + AGGREGATED_SIZE_FIELD);
    at += AGGREGATED_SIZE_FIELD + u.length;
  }
  return out;
}

function fragment(format: NalPayloadFormat, mtu: number, nal: Uint8Array, timestamp: number, out: PacketizedPayload[]): void {
  const { prefix, type } = format.fragmentHeader(nal);
  const overhead = prefix.length + 1;
  const chunk = mtu - overhead;
  const body = nal.subarray(format.headerSize);
  for (let at = 0; at < body.length; at += chunk) {
    const piece = body.subarray(at, at + chunk);
    const payload = new Uint8Array(overhead + piece.length);
    payload.set(prefix, 0);
    payload[prefix.length] = (at === 0 ? FU_START : 0) | (at + chunk >= body.length ? FU_END : 0) | type;
    payload.set(piece, overhead);
    out.push({ payload, marker: false, timestamp });
  }
}
