/** Test helper: writes bits MSB first, with exp-Golomb, to synthesize bitstreams. */
export class BitWriter {
  private readonly bits: number[] = [];

  u(value: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits.push(Math.floor(value / 2 ** i) % 2);
    return this;
  }

  flag(b: boolean): this {
    return this.u(b ? 1 : 0, 1);
  }

  ue(v: number): this {
    const len = Math.floor(Math.log2(v + 1));
    this.u(0, len);
    return this.u(v + 1, len + 1);
  }

  se(v: number): this {
    return this.ue(v > 0 ? 2 * v - 1 : -2 * v);
  }

  /** rbsp_trailing_bits, then the bytes. */
  bytes(): Uint8Array {
    this.bits.push(1);
    while (this.bits.length % 8) this.bits.push(0);
    const out = new Uint8Array(this.bits.length / 8);
    for (let i = 0; i < this.bits.length; i++) if (this.bits[i]) out[i >> 3] |= 0x80 >> (i & 7);
    return out;
  }
}

/** Inserts emulation_prevention_three_byte where 0x0000 precedes 0..3 (H.264 7.4.1). */
export function addEmulationPrevention(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return new Uint8Array(out);
}

export function hex(s: string): Uint8Array {
  return new Uint8Array(s.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** Deterministic PRNG (mulberry32) so fuzz failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mutate(data: Uint8Array, rand: () => number): Uint8Array {
  const out = data.slice();
  const flips = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < flips; i++) out[Math.floor(rand() * out.length)] ^= 1 << Math.floor(rand() * 8);
  return rand() < 0.3 ? out.subarray(0, Math.floor(rand() * out.length)) : out;
}
