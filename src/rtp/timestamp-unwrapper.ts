/**
 * Turns 32-bit RTP timestamps (RFC 3550 5.1, which wrap every 13.25 hours at
 * 90 kHz) into an extended number that keeps counting past the wrap.
 *
 * Each timestamp is read as a signed 32-bit step from the previous one, so a
 * step back (B-frames sent in decode order, a reordered packet) gives a
 * smaller extended value instead of a jump of 2^32. Steps beyond ±2^31 are
 * ambiguous by construction and taken as the shorter way round.
 */
export class RtpTimestampUnwrapper {
  private last32 = 0;
  private lastExtended: number | undefined;

  /** The extended value of `timestamp`; the first call returns it unchanged. */
  unwrap(timestamp: number): number {
    timestamp >>>= 0;
    if (this.lastExtended === undefined) {
      this.lastExtended = timestamp;
    } else {
      // Signed 32-bit difference (two's complement wrap of the subtraction).
      const step = (timestamp - this.last32) | 0;
      this.lastExtended += step;
    }
    this.last32 = timestamp;
    return this.lastExtended;
  }

  reset(): void {
    this.lastExtended = undefined;
  }
}
