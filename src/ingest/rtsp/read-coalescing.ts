/**
 * Fewer, larger reads from a camera's TCP connection. A camera sends each
 * frame as a burst of RTP packets and audio in between; woken for each
 * arrival, the server read ~2 packets per wake-up, and with 10 cameras the
 * wake-ups and reads were most of its CPU (docs/BENCHMARKS.md, rtsp-ingest).
 * The kernel's receive low-water mark (SO_RCVLOWAT) is set to `budgetMs` of
 * the connection's measured byte rate, so a wake-up finds that much queued.
 *
 * The added latency is bounded by data that keeps coming; when it stops (no
 * read for more than twice the budget, counted in ticks: the camera paused,
 * or the tail of a frame sits below the mark) or an answer is awaited, the
 * mark drops to one byte at once.
 */

/** How often every connection's rate is measured and its mark reconsidered. */
export const TICK_MS = 100;
/** Largest mark: more never pays and would hold a slow stream's data longer. */
export const MAX_LOW_WATER = 64 * 1024;
/** Weight of the newest tick in the rate (about half a second of memory). */
const RATE_WEIGHT = 0.25;

export class ReadCoalescing {
  private bytes = 0;
  private reads = 0;
  /** Ticks in a row without a read. */
  private quietTicks = 0;
  /** Bytes per second, smoothed over ticks. */
  private rate = 0;
  /** The mark the kernel has: 1 is the default (wake for every byte). */
  private current = 1;
  private held = false;
  private stopped = false;

  /** `apply` sets the socket's mark and says whether it could. */
  constructor(
    private readonly apply: (bytes: number) => boolean,
    private readonly budgetMs: number,
  ) {
    coalescing.add(this);
    ticker ??= setInterval(tickAll, TICK_MS);
  }

  get lowWater(): number {
    return this.current;
  }

  /** Each read of the connection. */
  onRead(bytes: number): void {
    this.bytes += bytes;
    this.reads++;
  }

  /** While an answer is awaited, every byte wakes us (the answer may be smaller than the mark). */
  hold(on: boolean): void {
    this.held = on;
    if (on) this.set(1);
  }

  stop(): void {
    this.stopped = true;
    coalescing.delete(this);
    if (coalescing.size === 0 && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
    }
  }

  /** One tick: measure, then move the mark when it is off by more than a quarter. */
  tick(): void {
    const perSecond = (this.bytes * 1000) / TICK_MS;
    this.rate = this.rate === 0 ? perSecond : this.rate + RATE_WEIGHT * (perSecond - this.rate);
    this.quietTicks = this.reads === 0 ? this.quietTicks + 1 : 0;
    this.bytes = this.reads = 0;
    // With a mark of `budgetMs` of data, reads come about that often: silence for twice as long is a stall.
    if (this.quietTicks * TICK_MS > 2 * this.budgetMs || this.held) return this.set(1);
    const want = Math.min(MAX_LOW_WATER, Math.max(1, Math.floor((this.rate * this.budgetMs) / 1000)));
    if (Math.abs(want - this.current) * 4 > this.current) this.set(want);
  }

  private set(bytes: number): void {
    if (this.stopped || bytes === this.current) return;
    if (this.apply(bytes)) this.current = bytes;
    else this.stop(); // not settable here (TLS, not Linux): plain reads, as before
  }
}

/** One per camera connection coalescing now; RtspConnection.close() takes each out (stop), so it is bounded by open connections. */
const coalescing = new Set<ReadCoalescing>();
let ticker: ReturnType<typeof setInterval> | undefined;

function tickAll(): void {
  for (const c of coalescing) c.tick();
}
