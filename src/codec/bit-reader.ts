import { ParseError } from "../core/errors.ts";

/** Longest exp-Golomb prefix we accept: ue(v) values fit in 32 bits (H.264 9.1). */
const MAX_EXP_GOLOMB_ZEROS = 31;

/** Reads bits MSB first from an RBSP (emulation prevention already removed). */
export class BitReader {
  private pos = 0;
  private readonly bitLength: number;

  constructor(private readonly data: Uint8Array, byteOffset = 0) {
    this.pos = byteOffset * 8;
    this.bitLength = data.length * 8;
  }

  get bitsLeft(): number {
    return this.bitLength - this.pos;
  }

  /** Reads one bit. */
  bit(): number {
    if (this.pos >= this.bitLength) throw new ParseError("bitstream truncated");
    const b = (this.data[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }

  flag(): boolean {
    return this.bit() === 1;
  }

  /** Reads n ≤ 32 bits as an unsigned number. */
  u(n: number): number {
    if (n > this.bitsLeft) throw new ParseError("bitstream truncated");
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }

  skip(n: number): void {
    if (n > this.bitsLeft) throw new ParseError("bitstream truncated");
    this.pos += n;
  }

  /** Unsigned exp-Golomb, ue(v) (H.264 9.1). */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > MAX_EXP_GOLOMB_ZEROS) throw new ParseError("exp-Golomb code too long");
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed exp-Golomb, se(v) (H.264 9.1.1). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/**
 * Removes emulation_prevention_three_byte (H.264 7.4.1, H.265 7.4.2): 0x000003
 * becomes 0x0000. Returns `nal` itself when there is nothing to remove.
 */
export function removeEmulationPrevention(nal: Uint8Array): Uint8Array {
  const first = findEmulation(nal, 0);
  if (first < 0) return nal;
  const out = new Uint8Array(nal.length);
  let o = 0;
  let from = 0;
  for (let at = first; at >= 0; at = findEmulation(nal, at + 1)) {
    out.set(nal.subarray(from, at), o);
    o += at - from;
    from = at + 1; // skip the 0x03
  }
  out.set(nal.subarray(from), o);
  o += nal.length - from;
  return out.subarray(0, o);
}

/** Index of the 0x03 of the next 0x000003 at or after `from`, or -1. */
function findEmulation(nal: Uint8Array, from: number): number {
  // The two zeros cannot overlap a previous 0x03, so a plain scan is enough.
  for (let i = Math.max(from, 2); i < nal.length; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) return i;
  }
  return -1;
}
