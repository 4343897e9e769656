interface Waiter {
  readonly ready: () => boolean;
  readonly resolve: (ok: boolean) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * Requests held until something exists (LL-HLS blocking playlist reloads,
 * preload-hinted parts). Bounded in number (a request over the bound is
 * refused at once) and in time (each one gives up after its timeout). Every
 * change checks each waiter's condition: a few thousand cheap checks per
 * part, and each request is answered in the same turn its part appears.
 */
export class Waiters {
  private readonly set = new Set<Waiter>();
  private closed = false;

  constructor(
    /** Most requests held at once. */
    readonly max: number,
  ) {}

  get size(): number {
    return this.set.size;
  }

  /**
   * Resolves true as soon as `ready()` holds (at once if it does now), false
   * after `timeoutMs` or when closed; undefined when `max` requests already wait.
   */
  wait(ready: () => boolean, timeoutMs: number): Promise<boolean> | undefined {
    if (ready()) return Promise.resolve(true);
    if (this.closed) return Promise.resolve(false);
    if (this.set.size >= this.max) return undefined;
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        ready,
        resolve,
        timer: setTimeout(() => this.settle(waiter, false), timeoutMs),
      };
      this.set.add(waiter);
    });
  }

  /** Something changed: answer every waiter whose condition now holds. */
  notify(): void {
    for (const w of this.set) if (w.ready()) this.settle(w, true);
  }

  /** Answers every waiter with false and refuses new ones (the muxer closes). */
  close(): void {
    this.closed = true;
    for (const w of this.set) this.settle(w, false);
  }

  private settle(w: Waiter, ok: boolean): void {
    if (!this.set.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(ok);
  }
}
