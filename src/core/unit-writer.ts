import type { UnitStorage } from "./access-unit.ts";

/**
 * Where a unit that arrives in pieces (a PES over many TS packets) is
 * assembled: the writer gives out memory, the caller writes the pieces at
 * `bytes[start + offset]`, then commits the unit or simply begins the next
 * one (a broken unit is dropped by not committing it).
 */
export interface UnitWriter {
  /** The memory the unit in progress is written into, from `start`. */
  readonly bytes: Uint8Array;
  readonly start: number;
  /** Bytes this writer holds for the unit in progress (or keeps between units). */
  readonly held: number;
  /** Starts a unit; whatever was written since the last commit is dropped. */
  begin(): void;
  /**
   * Makes room for `need` bytes of the unit in progress; when that moves it,
   * its first `keep` bytes go along. Read `bytes` and `start` again after.
   */
  reserve(need: number, keep: number): void;
  /** The unit ends: bytes [from, to) of it become its data, with the storage to retain. */
  commit(from: number, to: number): { data: Uint8Array; storage: UnitStorage | undefined };
}

/** First size of a CopyWriter's scratch buffer; it grows by doubling. */
const INITIAL_SCRATCH = 64 * 1024;
/**
 * The scratch buffer is let go when it is this many times larger than every
 * unit of the last SHRINK_CHECK ones (a burst of huge frames, or a stream
 * without unit starts, does not pin its peak for ever).
 */
const SHRINK_FACTOR = 4;
/** Units between two shrink checks: about 10 s of 30 fps video. */
const SHRINK_CHECK = 300;

/**
 * A writer without an arena: units are assembled in one scratch buffer kept
 * from unit to unit and leave it as exact-size copies, which the garbage
 * collector owns (no storage). For readers that keep what they read, such as
 * the demo clip.
 */
export class CopyWriter implements UnitWriter {
  bytes: Uint8Array = new Uint8Array(0);
  readonly start = 0;
  private recentMax = 0;
  private recentCount = 0;
  private written = 0;

  /** `limit`: the largest `need` a caller may ask for. */
  constructor(private readonly limit: number) {}

  get held(): number {
    return this.bytes.byteLength;
  }

  begin(): void {
    this.recentMax = Math.max(this.recentMax, this.written);
    this.written = 0;
    if (++this.recentCount < SHRINK_CHECK) return;
    if (this.bytes.byteLength > SHRINK_FACTOR * Math.max(this.recentMax, INITIAL_SCRATCH)) this.bytes = new Uint8Array(0);
    this.recentMax = 0;
    this.recentCount = 0;
  }

  reserve(need: number, keep: number): void {
    this.written = need;
    const old = this.bytes;
    if (need <= old.byteLength) return;
    if (need > this.limit) throw new RangeError(`unit of ${need} bytes past the writer's limit`);
    const grown = new Uint8Array(Math.min(this.limit, Math.max(need, INITIAL_SCRATCH, old.byteLength * 2)));
    grown.set(old.subarray(0, keep));
    this.bytes = grown;
  }

  commit(from: number, to: number): { data: Uint8Array; storage: UnitStorage | undefined } {
    return { data: this.bytes.slice(from, to), storage: undefined };
  }
}

/**
 * Copies the units of one access unit into `writer`, back to back: the
 * views to put in the AccessUnit and the storage to put with them.
 */
export function writeUnits(writer: UnitWriter, units: readonly Uint8Array[]): { units: Uint8Array[]; storage: UnitStorage | undefined } {
  let size = 0;
  for (const u of units) size += u.byteLength;
  // Nothing to keep (an empty G.711 payload): no memory, and an arena writer may not have a slab yet.
  if (size === 0) return { units: units.map(() => new Uint8Array(0)), storage: undefined };
  writer.begin();
  writer.reserve(size, 0);
  const bytes = writer.bytes;
  let at = writer.start;
  for (const u of units) {
    bytes.set(u, at);
    at += u.byteLength;
  }
  const { data, storage } = writer.commit(0, size);
  const out = new Array<Uint8Array>(units.length);
  for (let i = 0, from = 0; i < units.length; i++) {
    const to = from + units[i]!.byteLength;
    out[i] = data.subarray(from, to);
    from = to;
  }
  return { units: out, storage };
}
