/**
 * Annex-B byte streams (ITU-T H.264 Annex B, H.265 Annex B): NAL units
 * separated by 0x000001 start codes, optionally preceded by a zero byte.
 */

/**
 * Splits an Annex-B buffer into NAL units (without start codes) as views over
 * `data`. Bytes before the first start code are dropped (leading garbage or a
 * cut-off unit). Trailing zero bytes of a unit are trailing_zero_8bits or the
 * first byte of a 4-byte start code (B.1.1), so they are trimmed.
 */
export function splitAnnexB(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  const n = data.length;
  let start = -1;
  let i = 0;
  while (i + 2 < n) {
    // Skip fast: a start code needs data[i+2] === 1 and two zeros before it.
    const b2 = data[i + 2]!;
    if (b2 > 1) {
      i += 3;
      continue;
    }
    if (b2 === 1 && data[i] === 0 && data[i + 1] === 0) {
      if (start >= 0) pushUnit(units, data, start, i);
      start = i + 3;
      i += 3;
      continue;
    }
    i++;
  }
  if (start >= 0) pushUnit(units, data, start, n);
  return units;
}

function pushUnit(units: Uint8Array[], data: Uint8Array, start: number, end: number): void {
  while (end > start && data[end - 1] === 0) end--;
  if (end > start) units.push(data.subarray(start, end));
}
