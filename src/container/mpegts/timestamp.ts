import { PTS_MODULO } from "./constants.ts";

/** A jump of more than half the 33-bit range is taken as a wrap, not a real jump. */
const HALF_RANGE = PTS_MODULO / 2;

/** Reads a 5-byte PTS/DTS field (ISO/IEC 13818-1 2.4.3.7): 3 + 15 + 15 bits with marker bits. */
export function readTimestamp(b: Uint8Array, o: number): number {
  const high = (b[o]! >> 1) & 0x07;
  const mid = ((b[o + 1]! << 7) | (b[o + 2]! >> 1)) & 0x7fff;
  const low = ((b[o + 3]! << 7) | (b[o + 4]! >> 1)) & 0x7fff;
  return high * 2 ** 30 + mid * 2 ** 15 + low;
}

/** Writes a 5-byte PTS/DTS field; `prefix` is 0b0010 (PTS only), 0b0011 (PTS of a pair) or 0b0001 (DTS). */
export function writeTimestamp(b: Uint8Array, o: number, prefix: number, ts: number): void {
  const v = ((Math.round(ts) % PTS_MODULO) + PTS_MODULO) % PTS_MODULO;
  const high = Math.floor(v / 2 ** 30);
  const mid = Math.floor(v / 2 ** 15) & 0x7fff;
  const low = v & 0x7fff;
  b[o] = (prefix << 4) | (high << 1) | 1;
  b[o + 1] = mid >> 7;
  b[o + 2] = ((mid & 0x7f) << 1) | 1;
  b[o + 3] = low >> 7;
  b[o + 4] = ((low & 0x7f) << 1) | 1;
}

/**
 * Turns 33-bit timestamps into a monotonic number line. Each value is placed
 * in the 2^33 epoch closest to a reference: the previous value of the same
 * stream, or for its first value the last value of any stream (`shared`), so
 * that audio and video of one program stay on one line across the wrap.
 */
export class TimestampUnwrapper {
  private last: number | undefined;

  constructor(private readonly shared: { last: number | undefined }) {}

  unwrap(raw: number): number {
    const ref = this.last ?? this.shared.last;
    let v = raw;
    if (ref !== undefined) {
      const epoch = Math.floor(ref / PTS_MODULO) * PTS_MODULO;
      v = raw + epoch;
      if (v - ref > HALF_RANGE && v >= PTS_MODULO) v -= PTS_MODULO;
      else if (ref - v > HALF_RANGE) v += PTS_MODULO;
    }
    this.last = v;
    this.shared.last = v;
    return v;
  }
}
