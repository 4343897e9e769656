import { type AccessUnit, accessUnitSize, dtsSeconds } from "./access-unit.ts";

export interface RingLimits {
  /** Seconds of media kept, newest dts minus oldest dts. */
  readonly maxDuration: number;
  /** Payload bytes kept. */
  readonly maxBytes: number;
}

/**
 * Hard cap on entries whatever the limits say: 2^15 slots is over 100 s of
 * 25 fps video plus 48 kHz AAC (~72 units/s), far past any sane maxDuration.
 */
const MAX_ITEMS = 1 << 15;

/**
 * The recent access units of one stream, written by one publisher and read
 * through cursors (sequence numbers). Eviction drops whole GOPs from the
 * head, so the oldest unit kept is a random access point whenever possible.
 * Pushing never waits for anyone.
 */
export class Ring {
  private readonly slots: (AccessUnit | undefined)[] = new Array(MAX_ITEMS);
  private readonly sizes = new Int32Array(MAX_ITEMS);
  /** Sequence numbers of random access points still in the ring, oldest first (≤ MAX_ITEMS). */
  private keys: number[] = [];
  private bytesHeld = 0;
  /** Sequence number of the oldest unit kept. */
  head = 0;
  /** Sequence number the next unit will get. */
  tail = 0;
  private wake: (() => void) | undefined;
  private waiting: Promise<void> | undefined;

  constructor(private readonly limits: RingLimits) {}

  get bytes(): number {
    return this.bytesHeld;
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** `randomAccess`: a reader may start here (video keyframe, or any unit of an audio-only stream). */
  push(au: AccessUnit, randomAccess: boolean): void {
    const seq = this.tail++;
    const size = accessUnitSize(au);
    this.slots[seq % MAX_ITEMS] = au;
    au.storage?.retain();
    this.sizes[seq % MAX_ITEMS] = size;
    this.bytesHeld += size;
    if (randomAccess) this.keys.push(seq);
    this.evict(au);
    const wake = this.wake;
    this.wake = this.waiting = undefined;
    wake?.();
  }

  at(seq: number): AccessUnit | undefined {
    return seq >= this.head && seq < this.tail ? this.slots[seq % MAX_ITEMS] : undefined;
  }

  isKey(seq: number): boolean {
    return this.keys.includes(seq);
  }

  /** Newest random access point, or undefined while the ring holds none. */
  newestKey(): number | undefined {
    return this.keys.length > 0 ? this.keys[this.keys.length - 1] : undefined;
  }

  /** Resolves at the next push (or wakeAll); one promise shared by every waiter. */
  next(): Promise<void> {
    this.waiting ??= new Promise<void>((resolve) => (this.wake = resolve));
    return this.waiting;
  }

  wakeAll(): void {
    const wake = this.wake;
    this.wake = this.waiting = undefined;
    wake?.();
  }

  private overLimits(newest: AccessUnit): boolean {
    if (this.length <= 1) return false;
    if (this.length >= MAX_ITEMS || this.bytesHeld > this.limits.maxBytes) return true;
    const oldest = this.slots[this.head % MAX_ITEMS];
    return oldest !== undefined && dtsSeconds(newest) - dtsSeconds(oldest) > this.limits.maxDuration;
  }

  private evict(newest: AccessUnit): void {
    while (this.overLimits(newest)) {
      // Drop the whole oldest GOP; when only one GOP is left, drop unit by unit.
      const nextKey = this.keys.find((k) => k > this.head);
      const end = nextKey !== undefined ? nextKey : this.head + 1;
      while (this.head < end && this.length > 1) this.dropHead();
      while (this.keys.length > 0 && this.keys[0] < this.head) this.keys.shift();
    }
  }

  private dropHead(): void {
    const i = this.head % MAX_ITEMS;
    this.bytesHeld -= this.sizes[i];
    this.slots[i]?.storage?.release();
    this.slots[i] = undefined;
    this.head++;
  }
}
