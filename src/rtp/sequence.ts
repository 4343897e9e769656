/**
 * 16-bit RTP sequence number tracking, after RFC 3550 A.1: wrap-aware,
 * counts losses, tells a duplicate from a late (reordered) packet.
 */

/** Largest forward jump still taken as loss rather than a restart (RFC 3550 A.1, MAX_DROPOUT). */
export const MAX_DROPOUT = 3000;
/** Largest backward step taken as a late packet; further back is a restart (RFC 3550 A.1, MAX_MISORDER). */
export const MAX_MISORDER = 100;
/** Window of remembered sequence numbers: a power of two above MAX_MISORDER. */
const HISTORY = 128;
const SEQ_MOD = 0x10000;

export interface SequenceResult {
  /**
   * Packets missing before this one (0 when in order). A restart (a jump
   * beyond MAX_DROPOUT or MAX_MISORDER, e.g. a camera rebooting) reports 1 so
   * that consumers resynchronise; it is counted in `resets`, not in `lost`.
   */
  lost: number;
  /** Seen before: ignore it. */
  duplicate: boolean;
  /** Arrived after a later packet: its gap was already reported as loss. */
  reordered: boolean;
}

const IN_ORDER: SequenceResult = { lost: 0, duplicate: false, reordered: false };

export class SequenceTracker {
  /** Packets accepted (not duplicates). */
  received = 0;
  /** Expected minus received, as RFC 3550 A.3: a late packet fills the gap it left. */
  lost = 0;
  duplicates = 0;
  reordered = 0;
  resets = 0;
  private max = -1;
  /** seen[seq % HISTORY] holds seq when seq arrived, -1 when it is missing. */
  private readonly seen = new Int32Array(HISTORY).fill(-1);

  push(seq: number): SequenceResult {
    seq &= 0xffff;
    if (this.max < 0) return this.restart(seq, false);
    const delta = (seq - this.max + SEQ_MOD) % SEQ_MOD;
    if (delta === 0) return this.duplicate();
    if (delta < MAX_DROPOUT) {
      for (let s = 1; s < delta && s <= HISTORY; s++) this.seen[(this.max + s) % HISTORY] = -1;
      this.seen[seq % HISTORY] = seq;
      this.max = seq;
      this.received++;
      this.lost += delta - 1;
      return delta === 1 ? IN_ORDER : { lost: delta - 1, duplicate: false, reordered: false };
    }
    if (SEQ_MOD - delta <= MAX_MISORDER) {
      if (this.seen[seq % HISTORY] === seq) return this.duplicate();
      this.seen[seq % HISTORY] = seq;
      this.received++;
      this.reordered++;
      if (this.lost > 0) this.lost--;
      return { lost: 0, duplicate: false, reordered: true };
    }
    return this.restart(seq, true);
  }

  private duplicate(): SequenceResult {
    this.duplicates++;
    return { lost: 0, duplicate: true, reordered: false };
  }

  private restart(seq: number, counted: boolean): SequenceResult {
    this.seen.fill(-1);
    this.seen[seq % HISTORY] = seq;
    this.max = seq;
    this.received++;
    if (!counted) return IN_ORDER;
    this.resets++;
    return { lost: 1, duplicate: false, reordered: false };
  }
}
