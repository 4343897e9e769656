/**
 * Annex-B byte streams (ITU-T H.264 Annex B, H.265 Annex B): NAL units
 * separated by 0x000001 start codes, optionally preceded by a zero byte.
 */

/** Index of the next 00 00 01 at or after `from`, or -1. */
export type StartCodeSearch = (data: Uint8Array, from: number) => number;

/**
 * Every 0x01 with two zeros before it ends a start code. The reference scan:
 * the native indexOf jumps from one 0x01 to the next (about one byte in 256
 * of coded data); V8's goes byte by byte (~0.6 ms per MB).
 */
export const indexOfStartCode: StartCodeSearch = (data, from) => {
  for (let one = data.indexOf(1, from + 2); one >= 0; one = data.indexOf(1, one + 1)) {
    if (data[one - 1] === 0 && data[one - 2] === 0) return one - 2;
  }
  return -1;
};

/**
 * The default search: looks at the byte where a start code would end; above
 * 1 it cannot end there nor at the next two bytes, so three are skipped
 * (nearly every byte of coded data). On Deno (V8, 25 Mbit/s x264 clip) ~0.2
 * ms per MB, against ~0.4 for glibc 2.36's memmem through FFI (a hashed
 * 2-byte window, no SIMD: a tenth of the server's CPU at 2 x 100 Mbit/s)
 * and ~0.6 for indexOf. Bun puts its SIMD Buffer.indexOf in (~0.02 ms).
 */
export const skipScanStartCode: StartCodeSearch = (data, from) => {
  const n = data.length;
  let i = from + 2;
  while (i < n) {
    const b = data[i]!;
    if (b > 1) i += 3;
    else if (b === 0) i++;
    else if (data[i - 1] === 0 && data[i - 2] === 0) return i - 2;
    else i += 3;
  }
  return -1;
};

let search: StartCodeSearch = skipScanStartCode;

/** Replaces the start code search (a runtime's SIMD memmem); it must find exactly what indexOfStartCode finds. */
export function useStartCodeSearch(fn: StartCodeSearch): void {
  search = fn;
}

/**
 * Splits an Annex-B buffer into NAL units (without start codes) as views over
 * `data`. Bytes before the first start code are dropped (leading garbage or a
 * cut-off unit). Trailing zero bytes of a unit are trailing_zero_8bits or the
 * first byte of a 4-byte start code (B.1.1), so they are trimmed.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  for (let at = search(data, 0); at >= 0; at = search(data, at + 3)) {
    if (start >= 0) pushUnit(units, data, start, at);
    start = at + 3;
  }
  if (start >= 0) pushUnit(units, data, start, data.length);
  return units;
}

function pushUnit(units: Uint8Array[], data: Uint8Array, start: number, end: number): void {
  while (end > start && data[end - 1] === 0) end--;
  if (end > start) units.push(data.subarray(start, end));
}
