import { ParseError } from "../core/errors.ts";
import type { DepacketizedFrame, Depacketizer } from "./depacketizer.ts";
import { emptyStats } from "./depacketizer.ts";
import { FragmentBuffer } from "./fragment-buffer.ts";
import { FrameAssembler, type NalRules } from "./frame-assembler.ts";
import { MAX_FRAGMENTED_NAL_SIZE } from "./limits.ts";
import type { RtpPacket } from "./packet.ts";
import { SequenceTracker } from "./sequence.ts";

const NONE: DepacketizedFrame[] = [];

/**
 * The packet flow shared by H.264 (RFC 6184) and H.265 (RFC 7798) in
 * non-interleaved mode: sequence checks, fragment reassembly, access unit
 * grouping. A subclass reads its payload header and calls `unit()` for each
 * whole NAL and `fragment()` for each FU piece.
 *
 * No reorder buffer: a late packet's gap has already been taken as loss, so
 * it is ignored. RTSP over TCP cannot reorder and a LAN rarely does.
 */
export abstract class NalDepacketizer implements Depacketizer {
  readonly stats = emptyStats();
  lastError: string | undefined;
  private readonly sequence = new SequenceTracker();
  private readonly fu = new FragmentBuffer(MAX_FRAGMENTED_NAL_SIZE);
  private readonly frame: FrameAssembler;
  private readonly pending: DepacketizedFrame[] = [];

  protected constructor(rules: NalRules) {
    this.frame = new FrameAssembler(rules, this.stats);
  }

  /** Reads one payload; throws ParseError when it does not follow the format. */
  protected abstract readPayload(payload: Uint8Array): void;
  /** False for NAL units that are dropped (access unit delimiters). */
  protected abstract keepUnit(nal: Uint8Array): boolean;

  push(p: RtpPacket): DepacketizedFrame[] {
    this.stats.packets++;
    const seq = this.sequence.push(p.sequence);
    this.stats.lost = this.sequence.lost;
    if (seq.duplicate || seq.reordered) return NONE;
    // Most packets end no frame: collect into a kept array, hand out a copy only when one did.
    const out = this.pending;
    if (seq.lost > 0) {
      if (this.frame.inProgress) this.frame.damage();
      this.fu.reset();
    }
    if (this.frame.inProgress && p.timestamp !== this.frame.timestamp) this.unfinishedFragment();
    this.frame.begin(p.timestamp, out);
    if (seq.lost > 0) this.frame.damage();
    try {
      if (p.payload.length === 0) throw new ParseError("empty payload");
      this.readPayload(p.payload);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.malformed(e.message);
    }
    if (p.marker) {
      this.unfinishedFragment();
      this.frame.flush(out);
    }
    return out.length === 0 ? NONE : out.splice(0);
  }

  /** A whole NAL unit of the current access unit. */
  protected unit(nal: Uint8Array): void {
    if (this.fu.active) this.unfinishedFragment();
    if (this.keepUnit(nal)) this.frame.add(nal);
  }

  /** One FU piece: `head` is the rebuilt NAL header, used on the start piece. */
  protected fragment(start: boolean, end: boolean, head: Uint8Array, body: Uint8Array): void {
    if (start) {
      if (this.fu.active) this.unfinishedFragment();
      if (!this.fu.start(head, body)) return this.tooLarge();
    } else if (!this.fu.active) {
      // After a loss the frame is already damaged and its remaining pieces are expected.
      if (!this.frame.isDamaged) this.malformed("fragment without a start fragment");
      return;
    } else if (!this.fu.append(body)) {
      return this.tooLarge();
    }
    if (end) {
      const nal = this.fu.finish();
      if (this.keepUnit(nal)) this.frame.add(nal);
    }
  }

  private unfinishedFragment(): void {
    if (!this.fu.active) return;
    this.fu.reset();
    this.malformed("fragmented NAL unit ended without an end fragment");
  }

  private tooLarge(): void {
    this.lastError = `fragmented NAL unit over ${MAX_FRAGMENTED_NAL_SIZE} bytes: dropped`;
    this.frame.damage();
  }

  private malformed(message: string): void {
    this.stats.malformed++;
    this.lastError = message;
    this.fu.reset();
    this.frame.damage();
  }
}

/** Splits an aggregation packet body: 16-bit size, then the NAL unit, repeated (RFC 6184 5.7.1, RFC 7798 4.4.2). */
export function readAggregated(payload: Uint8Array, offset: number, what: string): Uint8Array[] {
  const units: Uint8Array[] = [];
  while (offset < payload.length) {
    if (offset + 2 > payload.length) throw new ParseError(`${what}: truncated size field`);
    const size = (payload[offset]! << 8) | payload[offset + 1]!;
    offset += 2;
    // Zero size: the rest is padding some encoders leave; no NAL unit is empty.
    if (size === 0) break;
    if (offset + size > payload.length) throw new ParseError(`${what}: unit of ${size} bytes overruns the packet`);
    units.push(payload.subarray(offset, offset + size));
    offset += size;
  }
  if (units.length === 0) throw new ParseError(`${what}: no NAL units`);
  return units;
}
