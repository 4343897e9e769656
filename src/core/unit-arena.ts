import type { UnitStorage } from "./access-unit.ts";
import type { UnitWriter } from "./unit-writer.ts";

/** Slab sizes: a slab holds about UNITS_PER_SLAB of the largest recent units of its writer. */
const MIN_SLAB = 256 * 1024;
const MAX_SLAB = 8 * 1024 * 1024;
const UNITS_PER_SLAB = 4;
/**
 * Bytes of free slabs kept for reuse. The ring drops a whole GOP at once,
 * which frees its slabs together, and the next GOP takes them back one by
 * one: keeping a GOP's worth (25 MB at 100 Mbit/s, 2 s) is what avoids
 * fresh memory. Past this the oldest go to the garbage collector.
 */
const MAX_FREE_BYTES = 32 * 1024 * 1024;

/**
 * One slab: units are views into it. `refs` counts the ring entries and
 * other holders (UnitStorage) plus one for the arena while a writer may
 * still write into the slab or a batch in flight may still point into it.
 */
class Slab implements UnitStorage {
  /** End of the committed units; a writer's unit in progress lies past it. */
  used = 0;
  refs = 1;
  /** Given back to the arena: its bytes belong to a new Slab now. */
  dead = false;

  readonly bytes: Uint8Array<ArrayBuffer>;

  constructor(
    private readonly arena: UnitArena,
    buffer: ArrayBuffer,
    /** The writer that last wrote into it: its slabs are sized for its units. */
    public owner: number,
  ) {
    this.bytes = new Uint8Array(buffer);
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (this.dead) return;
    if (--this.refs === 0) {
      this.dead = true;
      this.arena.recycle(this);
    }
  }
}

/**
 * Where a demuxer puts the access units it emits, so their memory is reused
 * instead of freshly allocated (and faulted in by the kernel) for every
 * frame: at 200 Mbit/s an exact-size copy per PES cost a page fault per
 * 4 KB of input, a fifth of the ingest's CPU (docs/BENCHMARKS.md, udp-ingest).
 *
 * Units are written into slabs, each PID through its own `writer()` so that
 * interleaved audio and video PES each stay in one piece. A slab is reused
 * once every holder has released it: the ring when it drops the unit, any
 * reader that keeps bytes past the ring (UnitStorage.retain), and the arena
 * itself once no writer writes into it and the batch that filled it has
 * ended (`settle`). On reuse the old ArrayBuffer is detached
 * (`ArrayBuffer.prototype.transfer`, no copy): a view anyone kept without
 * retaining reads as empty (or throws), never as another frame.
 */
export class UnitArena {
  /** Slabs their writer left during this batch: the arena's reference is dropped at settle(). */
  private sealed: Slab[] = [];
  private readonly free: Slab[] = [];
  private freeBytes = 0;
  private writers = 0;
  /** Slabs allocated and reused, units moved to another slab while being written and the bytes copied for it, for tests and benchmarks. */
  readonly stats = { allocated: 0, reused: 0, moved: 0, movedBytes: 0 };

  /** A writer of its own, for one source of units (a PID); `limit` is the largest unit it may be asked to hold. */
  writer(limit = MAX_SLAB): UnitWriter {
    return new ArenaWriter(this, limit, this.writers++);
  }

  /**
   * End of a batch: every unit written so far is in the ring (retained) or
   * gone, so slabs their writers have left may be reused once released.
   */
  settle(): void {
    const sealed = this.sealed;
    if (sealed.length === 0) return;
    this.sealed = [];
    for (const s of sealed) s.release();
  }

  /** Called by a slab whose last holder let go. */
  recycle(slab: Slab): void {
    const size = slab.bytes.byteLength;
    // An oversize slab held one unit: its memory is not worth keeping.
    if (size > MAX_SLAB) return;
    while (this.freeBytes + size > MAX_FREE_BYTES) this.freeBytes -= this.free.shift()!.bytes.byteLength;
    // A new Slab over the same memory: the old one stays dead, and its views are detached.
    this.free.push(new Slab(this, slab.bytes.buffer.transfer(), slab.owner));
    this.freeBytes += size;
  }

  /** A writer leaves `slab`: it stays the arena's until the end of the batch. */
  seal(slab: Slab): void {
    this.sealed.push(slab);
  }

  /**
   * A slab of at least `n` bytes for writer `owner`, whose units reach
   * `largest`. Reused first: the most recently freed slab of the same writer
   * that holds `n` (a smaller one than wanted still serves while the unit
   * fits: slab sizes follow the largest frames, and refusing smaller ones at
   * each change would allocate anew); then one of another writer if it is no
   * larger than wanted (audio would otherwise pin a video slab for minutes).
   */
  slab(n: number, largest: number, limit: number, owner: number): Slab {
    if (n > MAX_SLAB) {
      this.stats.allocated++;
      // Oversize: grown by half each time, so a unit growing to `limit` moves a few times at most.
      return new Slab(this, new ArrayBuffer(Math.min(limit, n + (n >> 1))), owner);
    }
    const want = slabSize(Math.max(n, UNITS_PER_SLAB * largest));
    const free = this.free;
    let pick = -1;
    for (let i = free.length - 1; i >= 0; i--) {
      const s = free[i]!;
      const size = s.bytes.byteLength;
      if (size < n) continue;
      if (s.owner === owner) {
        pick = i;
        break;
      }
      if (pick < 0 && size <= want) pick = i;
    }
    if (pick < 0) {
      this.stats.allocated++;
      return new Slab(this, new ArrayBuffer(want), owner);
    }
    const old = free.splice(pick, 1)[0]!;
    this.freeBytes -= old.bytes.byteLength;
    this.stats.reused++;
    old.owner = owner;
    return old;
  }
}

function slabSize(n: number): number {
  return Math.min(MAX_SLAB, 2 ** Math.ceil(Math.log2(Math.max(MIN_SLAB, n))));
}

/**
 * Writes units straight into slabs: a unit is written after the committed
 * ones of the writer's slab and moved to a new slab only when it outgrows
 * the room left. A unit starts in a new slab when the previous one of the
 * same writer would not have fitted, so that moves are rare.
 */
class ArenaWriter implements UnitWriter {
  bytes: Uint8Array = new Uint8Array(0);
  start = 0;
  held = 0;
  private slab: Slab | undefined;
  /** Largest unit since this slab was taken, and the size of the last one committed. */
  private largest = 0;
  private last = 0;

  constructor(
    private readonly arena: UnitArena,
    private readonly limit: number,
    private readonly id: number,
  ) {}

  begin(): void {
    this.held = 0;
    const slab = this.slab;
    if (!slab) return; // the first reserve takes one
    if (slab.bytes.byteLength <= MAX_SLAB && slab.used + this.last <= slab.bytes.byteLength) this.start = slab.used;
    else this.take(Math.min(this.last, MAX_SLAB), 0);
  }

  reserve(need: number, keep: number): void {
    this.held = need;
    if (this.start + need <= this.bytes.byteLength) return;
    if (need > this.limit) throw new RangeError(`unit of ${need} bytes past the writer's limit`);
    if (keep > 0) {
      this.arena.stats.moved++;
      this.arena.stats.movedBytes += keep;
    }
    this.take(need, keep);
  }

  commit(from: number, to: number): { data: Uint8Array; storage: UnitStorage | undefined } {
    const slab = this.slab!;
    const start = this.start;
    slab.used = start + to;
    this.largest = Math.max(this.largest, to);
    this.last = to;
    this.held = 0;
    return { data: this.bytes.subarray(start + from, start + to), storage: slab };
  }

  /** Moves to a new slab with room for `n` bytes, taking the `keep` bytes written so far of the unit in progress. */
  private take(n: number, keep: number): void {
    const old = this.slab;
    const slab = this.arena.slab(n, Math.max(this.largest, n), this.limit, this.id);
    if (keep > 0) slab.bytes.set(this.bytes.subarray(this.start, this.start + keep));
    if (old) this.arena.seal(old);
    this.slab = slab;
    this.bytes = slab.bytes;
    this.start = 0;
    this.largest = 0;
  }
}
