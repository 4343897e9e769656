import type { UnitStorage } from "./access-unit.ts";

/** Slab sizes: a slab holds about UNITS_PER_SLAB of the largest recent units. */
const MIN_SLAB = 256 * 1024;
const MAX_SLAB = 8 * 1024 * 1024;
const UNITS_PER_SLAB = 4;
/**
 * Bytes of free slabs kept for reuse. The ring drops a whole GOP at once,
 * which frees its slabs together, and the next GOP takes them back one by
 * one: keeping a GOP's worth (25 MB at 100 Mbit/s, 2 s) is what avoids
 * fresh memory. Past this they go to the garbage collector.
 */
const MAX_FREE_BYTES = 32 * 1024 * 1024;

/**
 * One slab: units are views into it. `refs` counts the ring entries and
 * other holders (UnitStorage) plus one for the arena while it may still
 * copy into the slab or a batch in flight may still point into it.
 */
class Slab implements UnitStorage {
  used = 0;
  refs = 1;
  /** Given back to the arena: its bytes belong to a new Slab now. */
  dead = false;

  readonly bytes: Uint8Array<ArrayBuffer>;

  constructor(
    private readonly arena: UnitArena,
    buffer: ArrayBuffer,
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
 * Units are copied into slabs. A slab is reused once every holder has
 * released it: the ring when it drops the unit, any reader that keeps
 * bytes past the ring (UnitStorage.retain), and the arena itself at the end
 * of the batch that filled it (`settle`). On reuse the old ArrayBuffer is
 * detached (`ArrayBuffer.prototype.transfer`, no copy): a view anyone kept
 * without retaining reads as empty (or throws), never as another frame.
 */
export class UnitArena {
  private current: Slab | undefined;
  /** Slabs filled during this batch: the arena's reference is dropped at settle(). */
  private sealed: Slab[] = [];
  private readonly free: Slab[] = [];
  private freeBytes = 0;
  private largest = 0;
  /** Slabs allocated and reused, for tests and benchmarks. */
  readonly stats = { allocated: 0, reused: 0 };

  /** A copy of `bytes` in a slab, with the storage to retain; oversized units get their own buffer. */
  copy(bytes: Uint8Array): { data: Uint8Array; storage: UnitStorage | undefined } {
    const n = bytes.byteLength;
    if (n > MAX_SLAB) return { data: bytes.slice(), storage: undefined };
    this.largest = Math.max(this.largest, n);
    let slab = this.current;
    if (!slab || slab.used + n > slab.bytes.byteLength) slab = this.next(n);
    const data = slab.bytes.subarray(slab.used, slab.used + n);
    data.set(bytes);
    slab.used += n;
    return { data, storage: slab };
  }

  /**
   * End of a batch: every unit copied so far is in the ring (retained) or
   * gone, so slabs filled during the batch may be reused once released.
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
    if (this.freeBytes + size > MAX_FREE_BYTES) return;
    // A new Slab over the same memory: the old one stays dead, and its views are detached.
    this.free.push(new Slab(this, slab.bytes.buffer.transfer()));
    this.freeBytes += size;
  }

  private next(n: number): Slab {
    if (this.current) this.sealed.push(this.current);
    // A free slab smaller than the size wanted now is still used while the unit fits: slab sizes
    // follow the largest frames, and dropping the smaller ones at each change would allocate anew.
    let slab: Slab | undefined;
    while ((slab = this.free.pop())) {
      this.freeBytes -= slab.bytes.byteLength;
      if (slab.bytes.byteLength >= n) break;
    }
    if (slab) this.stats.reused++;
    else {
      slab = new Slab(this, new ArrayBuffer(this.slabSize(n)));
      this.stats.allocated++;
    }
    this.largest = n;
    this.current = slab;
    return slab;
  }

  private slabSize(n: number): number {
    const want = Math.max(MIN_SLAB, n, UNITS_PER_SLAB * this.largest);
    return Math.min(MAX_SLAB, 2 ** Math.ceil(Math.log2(want)));
  }
}
