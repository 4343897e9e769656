import type { AccessUnit } from "./access-unit.ts";
import type { Ring } from "./ring.ts";

/** What happens to a reader whose cursor was evicted from the ring. */
export type SlowReaderPolicy = "skip" | "close";

let nextReaderId = 1;

/**
 * One consumer's cursor into a stream's ring. It holds no media of its own:
 * falling behind costs a sequence number, never memory.
 */
export class RingReader {
  private cursor: number;
  /** No random access point was in the ring at start: skip until one arrives. */
  private needKey: boolean;
  /** Units skipped because this reader fell behind the ring. */
  dropped = 0;
  closed = false;
  closeReason: string | undefined;
  readonly since = Date.now();
  /** Unique in this process, for the API (list and kick). */
  readonly id = `r${nextReaderId++}`;
  private readonly onClose = new Set<(reader: RingReader) => void>();

  constructor(
    private readonly ring: Ring,
    readonly protocol: string,
    private readonly policy: SlowReaderPolicy,
    /** Who reads (an address), when the protocol knows. */
    readonly remote?: string,
    /** Told how many units were skipped when this reader fell behind (the stream's DropReport). */
    private readonly onDrop?: (units: number) => void,
  ) {
    const key = ring.newestKey();
    this.cursor = key ?? ring.tail;
    this.needKey = key === undefined;
  }

  /** How many units are waiting for this reader. */
  get lag(): number {
    return this.ring.tail - Math.max(this.cursor, this.ring.head);
  }

  /** The next unit, or undefined when none is ready yet (or closed). */
  read(): AccessUnit | undefined {
    if (this.closed) return undefined;
    if (this.cursor < this.ring.head) {
      if (this.policy === "close") {
        this.close("fell behind the ring");
        return undefined;
      }
      const key = this.ring.newestKey();
      const target = key ?? this.ring.tail;
      this.dropped += target - this.cursor;
      this.onDrop?.(target - this.cursor);
      this.cursor = target;
      this.needKey = key === undefined;
    }
    while (this.cursor < this.ring.tail) {
      const seq = this.cursor++;
      if (this.needKey && !this.ring.isKey(seq)) continue;
      this.needKey = false;
      return this.ring.at(seq);
    }
    return undefined;
  }

  /** Resolves when something may have changed (a push or a close). */
  wait(): Promise<void> {
    return this.ring.next();
  }

  addCloseListener(fn: (reader: RingReader) => void): void {
    this.onClose.add(fn);
  }

  close(reason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    for (const fn of this.onClose) fn(this);
    this.onClose.clear();
    this.ring.wakeAll();
  }

  /**
   * Calls `onUnit` with every unit as it arrives (all those already waiting
   * in one go) until the reader closes: no promise per unit, unlike
   * stream(), for a consumer that takes each unit at once (a muxer).
   * Resolves when the reader closes; rejects with what `onUnit` threw.
   */
  async pump(onUnit: (au: AccessUnit) => void): Promise<void> {
    for (;;) {
      const au = this.read();
      if (au) {
        onUnit(au);
        continue;
      }
      if (this.closed) return;
      await this.wait();
    }
  }

  /**
   * A pull stream of access units: the next unit is taken only when the
   * consumer asks, so the stream's own queue holds at most one.
   */
  stream(): ReadableStream<AccessUnit> {
    return new ReadableStream<AccessUnit>(
      {
        pull: async (controller) => {
          for (;;) {
            const au = this.read();
            if (au) return controller.enqueue(au);
            if (this.closed) return controller.close();
            await this.wait();
          }
        },
        cancel: () => this.close("cancelled"),
      },
      { highWaterMark: 0 },
    );
  }
}
