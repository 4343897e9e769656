const EMPTY = new Uint8Array(0);
/** First allocation: a few full-size RTP payloads. */
const FIRST_SIZE = 4 * 1024;
/** Clears between two looks at whether the buffer has outgrown its units. */
const SHRINK_CHECK = 256;
/** The buffer is let go when it is this many times larger than every unit of the last SHRINK_CHECK. */
const SHRINK_FACTOR = 4;

/**
 * Bytes appended into one buffer that is reused from unit to unit: once it
 * has grown to the stream's units, collecting one allocates nothing. Views
 * of it (`view`) are valid until the next `clear`. It grows by doubling up
 * to `limit`, and is let go after a burst of large units (a 4 MB NAL unit
 * from a broken camera does not pin 4 MB for ever).
 */
export class ByteScratch {
  private bytes: Uint8Array = EMPTY;
  /** Bytes written since the last clear. */
  length = 0;
  private clears = 0;
  private peak = 0;

  constructor(private readonly limit: number) {}

  /** Copies `piece` in after the bytes written; false (nothing written) when that would pass `limit`. */
  append(piece: Uint8Array): boolean {
    const need = this.length + piece.length;
    if (need > this.limit) return false;
    if (need > this.bytes.length) this.grow(need);
    this.bytes.set(piece, this.length);
    this.length = need;
    return true;
  }

  /** Bytes [from, to) written since the last clear, as a view (no copy). */
  view(from: number, to: number): Uint8Array {
    return this.bytes.subarray(from, to);
  }

  clear(): void {
    this.peak = Math.max(this.peak, this.length);
    this.length = 0;
    if (++this.clears < SHRINK_CHECK) return;
    if (this.bytes.length > FIRST_SIZE && this.bytes.length > SHRINK_FACTOR * this.peak) this.bytes = EMPTY;
    this.clears = 0;
    this.peak = 0;
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.min(this.limit, Math.max(need, 2 * this.bytes.length, FIRST_SIZE)));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }
}
