/**
 * Pieces held as views before they are joined early: keeps a flood of tiny
 * fragments from costing an array entry each (4 MiB / 1 byte would be 4 M).
 */
const MAX_PARTS = 1024;

/**
 * Collects the pieces of one fragmented unit (an FU-A NAL, a fragmented AAC
 * AU) as views and joins them once, at the end: one copy per unit.
 */
export class FragmentBuffer {
  private parts: Uint8Array[] = [];
  private size = 0;
  private open = false;

  constructor(private readonly limit: number) {}

  /** True between start() and finish()/reset(). */
  get active(): boolean {
    return this.open;
  }

  get length(): number {
    return this.size;
  }

  /** Starts a unit, discarding any unfinished one. */
  start(head: Uint8Array, first: Uint8Array): boolean {
    this.reset();
    this.open = true;
    return this.append(head) && this.append(first);
  }

  /** Adds a piece; false (and the unit is discarded) once the limit would be passed. */
  append(piece: Uint8Array): boolean {
    if (!this.open) return false;
    if (this.size + piece.length > this.limit) {
      this.reset();
      return false;
    }
    if (piece.length > 0) this.parts.push(piece);
    this.size += piece.length;
    if (this.parts.length >= MAX_PARTS) this.parts = [this.join()];
    return true;
  }

  /** The joined unit; the buffer is empty again. */
  finish(): Uint8Array {
    const out = this.parts.length === 1 ? this.parts[0]! : this.join();
    this.reset();
    return out;
  }

  private join(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.open = false;
  }
}
