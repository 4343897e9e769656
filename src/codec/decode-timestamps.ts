/** A jump this large (ticks at 90 kHz: 10 s) is a new timeline, not reordering. */
const RESET_TICKS = 10 * 90000;
/** Deepest reordering honoured: a decoded picture buffer holds at most 16 frames (H.264 A.3.1, H.265 A.4.2), so the heap stays small whatever an SPS or the timestamps claim. */
const MAX_DEPTH = 16;

/**
 * Decode times for video that carries presentation times only (RTP: the
 * timestamp is the presentation time, RFC 6184 5.1, RFC 7798 4.1).
 *
 * With a reorder depth of D, a picture is output at most D places before
 * its place in decode order, so when the i-th picture in decode order
 * arrives, every picture with an output index up to i − D has arrived. The
 * (i − D)-th smallest presentation time is then known, and is a decode time
 * that rises and is never after the picture's own presentation time. No
 * picture waits. The first D pictures get times a frame apart before that.
 */
export class DecodeTimestamps {
  /** Min-heap of presentation times not yet handed out as decode times. */
  private readonly heap: number[] = [];
  private last: number | undefined;
  private lastPts: number | undefined;
  /** Pictures whose presentation time came before the decode time we could give (depth too small). */
  violations = 0;

  private depth: number;

  constructor(
    depth: number,
    private readonly frameTicks: number,
  ) {
    this.depth = Math.min(depth, MAX_DEPTH);
  }

  /** A larger depth from new parameters; never shrinks, which would take back times given. */
  deepen(depth: number): void {
    this.depth = Math.min(Math.max(this.depth, depth), MAX_DEPTH);
  }

  /**
   * The track's timeline moved by `ticks` (aligned on sender reports): the
   * pictures not yet given a decode time move with it, so the next decode
   * times follow the new presentation times instead of mixing old and new.
   */
  shift(ticks: number): void {
    for (let i = 0; i < this.heap.length; i++) this.heap[i]! += ticks;
    if (this.lastPts !== undefined) this.lastPts += ticks;
  }

  /** The decode time for the next picture in decode order, given its presentation time. */
  next(pts: number): number {
    if (this.lastPts !== undefined && Math.abs(pts - this.lastPts) > RESET_TICKS) this.reset();
    this.lastPts = pts;
    this.push(pts);
    let dts: number;
    if (this.heap.length > this.depth) dts = this.pop();
    else dts = this.last === undefined ? pts - this.depth * this.frameTicks : this.last + this.frameTicks;
    if (this.last !== undefined && dts <= this.last) dts = this.last + 1;
    if (dts > pts) {
      // More reordering than the SPS said: keep one more picture back from now on.
      this.violations++;
      this.deepen(this.depth + 1);
      dts = Math.max(pts, this.last === undefined ? pts : this.last + 1);
    }
    this.last = dts;
    return dts;
  }

  private reset(): void {
    this.heap.length = 0;
    this.last = undefined;
  }

  private push(v: number): void {
    const h = this.heap;
    let i = h.push(v) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= v) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = v;
  }

  private pop(): number {
    const h = this.heap;
    const top = h[0]!;
    const end = h.pop()!;
    if (h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const c = l + 1 < h.length && h[l + 1]! < h[l]! ? l + 1 : l;
      if (h[c]! >= end) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = end;
    return top;
  }
}
