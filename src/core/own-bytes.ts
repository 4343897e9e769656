/** A unit at most this small a share of the buffer under it is copied out (see ownBytes). */
const PIN_RATIO = 4;

/**
 * Units as the ring should keep them: a view that would pin a buffer more
 * than PIN_RATIO times its size is copied out. Depacketizers hand out views
 * of the socket read they came in (no copy per packet); a 300-byte AAC frame
 * in a 6 kB read would hold the whole read for the ring's 10 s, and with
 * several packets per read (RTSP over TCP, read-coalescing.ts) that was
 * +40 % RSS with 10 cameras. Returns `units` itself when nothing is copied.
 */
export function ownBytes(units: readonly Uint8Array[]): readonly Uint8Array[] {
  let out: Uint8Array[] | undefined;
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    if (u.byteLength * PIN_RATIO >= u.buffer.byteLength) continue;
    out ??= units.slice();
    out[i] = u.slice();
  }
  return out ?? units;
}
