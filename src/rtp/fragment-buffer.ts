import { ByteScratch } from "./byte-scratch.ts";

/** The `head` of a fragment that has none (a non-start FU piece, an AAC fragment). */
export const NO_HEAD = new Uint8Array(0);

/**
 * Collects the pieces of one fragmented unit (an FU-A NAL, a fragmented AAC
 * AU), copying each in as it arrives: no view of a packet is kept past its
 * push (the RTSP client reads every packet into the same buffer), and the
 * memory is reused from unit to unit.
 */
export class FragmentBuffer {
  private readonly scratch: ByteScratch;
  private open = false;

  constructor(limit: number) {
    this.scratch = new ByteScratch(limit);
  }

  /** True between start() and finish()/reset(). */
  get active(): boolean {
    return this.open;
  }

  get length(): number {
    return this.scratch.length;
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
    if (this.scratch.append(piece)) return true;
    this.reset();
    return false;
  }

  /** The whole unit, as a view valid until the next start(); the buffer is idle again. */
  finish(): Uint8Array {
    const out = this.scratch.view(0, this.scratch.length);
    this.open = false;
    return out;
  }

  reset(): void {
    this.scratch.clear();
    this.open = false;
  }
}
