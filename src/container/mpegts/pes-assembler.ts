import type { UnitStorage } from "../../core/access-unit.ts";
import { ParseError } from "../../core/errors.ts";
import type { UnitArena } from "../../core/unit-arena.ts";
import { PES_FIXED_HEADER, parsePesHeader } from "./pes.ts";
import { TS_HEADER_SIZE, TS_PACKET_SIZE, TS_PAYLOAD_SIZE } from "./constants.ts";
import type { TsHeader } from "./packet.ts";
import type { TimestampUnwrapper } from "./timestamp.ts";

/**
 * Largest PES we buffer. The biggest real frames are 4K intra pictures of a
 * few MB (H.264 level 5.2 MaxCPB is 240 Mbit = 30 MB for a whole buffer, but
 * one frame of a 100 Mbit/s stream is far below that); 16 MiB keeps headroom
 * and bounds the memory a broken stream without unit starts can take.
 */
export const MAX_PES_SIZE = 16 * 1024 * 1024;
/** First size of the scratch buffer; it grows by doubling. */
const INITIAL_PES_CAPACITY = 64 * 1024;

export interface PesPacket {
  readonly pid: number;
  readonly streamType: number;
  /** 90 kHz, unwrapped past 2^33 (see TimestampUnwrapper). */
  readonly pts?: number;
  readonly dts?: number;
  /** The elementary stream bytes: a copy made from the transport packets (exact-size, or in the arena's slab). */
  readonly data: Uint8Array;
  /** The arena slab `data` lives in, when there is an arena. */
  readonly storage?: UnitStorage;
  /** random_access_indicator on a packet of this PES (2.4.3.5). */
  readonly randomAccess: boolean;
  /** discontinuity_indicator on a packet of this PES. */
  readonly discontinuity: boolean;
  /**
   * Data of this PID was lost or thrown away since the previous PES we
   * emitted for it (a continuity gap, a transport error, a PES dropped as
   * broken, short, oversize or unparseable): the frames just before this one
   * are missing. A repeated packet (same continuity_counter, 2.4.3.3) is no loss.
   */
  readonly lost: boolean;
}

/** Why a PES was thrown away: lost packets or oversize, PES_packet_length past the data, a bad header. */
export type PesFailure = "dropped" | "truncated" | "error";

/**
 * The scratch buffer shrinks when it is this many times larger than every
 * PES of the last SHRINK_CHECK ones (a burst of huge frames, or a stream
 * without unit starts, does not pin its peak for ever).
 */
const SHRINK_FACTOR = 4;
/** PES between two shrink checks: about 10 s of 30 fps video. */
const SHRINK_CHECK = 300;

/**
 * Packets without an adaptation field that follow each other in the caller's
 * buffer are copied as one run; at most this many, so the scratch buffer needs
 * only RUN_SLACK bytes past MAX_PES_SIZE for the headers copied along.
 */
const MAX_RUN = 256;
const RUN_SLACK = MAX_RUN * TS_HEADER_SIZE;

/**
 * Reassembles the PES packets of one PID (ISO/IEC 13818-1 2.4.3.6).
 *
 * Packets are copied into one scratch buffer kept from PES to PES (grown
 * when a PES needs more); a finished PES leaves it as a copy of its
 * elementary stream bytes, into the arena when there is one (reused
 * memory), else exact-size. That costs one memcpy per PES instead of a
 * zero-filled, over-sized and sometimes regrown buffer per PES, and the
 * units in the ring hold only their own bytes.
 *
 * Packets without an adaptation field that lie back to back in the caller's
 * buffer (most of a picture) are not copied one by one: the run is copied
 * whole, headers included, and each payload then moved down over the headers
 * with copyWithin, which makes no view object per packet. The run is copied
 * before anything reads the scratch buffer and before the caller's push
 * returns (`settle`), since the caller reuses its buffer.
 */
export class PesAssembler {
  private scratch: Uint8Array | undefined;
  /** A PES is in progress (its bytes are scratch[0..len), the last of them maybe still in the pending run). */
  private open = false;
  private len = 0;
  /** Bytes of the PES already in scratch; len minus the payload of the pending run. */
  private copied = 0;
  /** The pending run: whole packets runBuf[runFrom..runTo), each with its payload right after the 4-byte header. */
  private runBuf: Uint8Array | undefined;
  private runFrom = 0;
  private runTo = 0;
  private broken = false;
  private randomAccess = false;
  private discontinuity = false;
  /** Largest PES since the last shrink check, and how many PES since then. */
  private recentMax = 0;
  private recentCount = 0;
  /** Something was lost since the last PES we emitted: the next one says so. */
  private lossPending = false;

  constructor(
    readonly pid: number,
    readonly streamType: number,
    private readonly unwrapper: TimestampUnwrapper,
    private readonly arena?: UnitArena,
  ) {}

  /** A packet was lost: the PES in progress cannot be used. */
  markBroken(): void {
    if (this.open) this.broken = true;
    this.lossPending = true;
  }

  /** Bytes this assembler holds: its scratch buffer (at most MAX_PES_SIZE + RUN_SLACK). */
  get buffered(): number {
    return this.scratch?.length ?? 0;
  }

  /** Feeds the packet at `buf[at]` whose header is `p`; returns a finished PES, or why one was thrown away. */
  push(p: TsHeader, buf: Uint8Array, at: number, out: PesPacket[]): PesFailure | undefined {
    let result: PesFailure | undefined;
    if (p.payloadUnitStart) {
      result = this.finish(out);
      this.open = true;
      this.len = 0;
      this.copied = 0;
      this.broken = false;
      this.randomAccess = false;
      this.discontinuity = false;
    }
    if (!this.open) return result;
    this.randomAccess ||= p.randomAccess;
    this.discontinuity ||= p.discontinuity;
    const from = at + p.payloadOffset;
    const end = at + TS_PACKET_SIZE;
    const need = this.len + (end - from);
    if (need > MAX_PES_SIZE) {
      this.runBuf = undefined;
      this.open = false;
      this.lossPending = true;
      return "dropped";
    }
    this.len = need;
    if (p.payloadOffset === TS_HEADER_SIZE && !p.payloadUnitStart) {
      if (buf === this.runBuf && at === this.runTo && this.runTo - this.runFrom < MAX_RUN * TS_PACKET_SIZE) {
        this.runTo = end;
      } else {
        this.settle();
        this.runBuf = buf;
        this.runFrom = at;
        this.runTo = end;
      }
    } else {
      this.settle();
      const scratch = this.room(need);
      scratch.set(buf.subarray(from, end), this.copied);
      this.copied = need;
    }
    // A PES with a length is complete without waiting for the next unit start.
    const declared = this.declaredSize();
    if (declared > 0 && this.len >= declared) return this.finish(out) ?? result;
    return result;
  }

  /** Copies the pending run into the scratch buffer: call before the packets' buffer changes. */
  settle(): void {
    const buf = this.runBuf;
    if (!buf) return;
    this.runBuf = undefined;
    const count = (this.runTo - this.runFrom) / TS_PACKET_SIZE;
    const at = this.copied;
    const scratch = this.room(at + count * TS_PACKET_SIZE - TS_HEADER_SIZE);
    // Payload k lands at at + 188k; it belongs at at + 184k. Moving in order never overwrites a payload not yet moved.
    scratch.set(buf.subarray(this.runFrom + TS_HEADER_SIZE, this.runTo), at);
    for (let k = 1; k < count; k++) {
      const src = at + k * TS_PACKET_SIZE;
      scratch.copyWithin(at + k * TS_PAYLOAD_SIZE, src, src + TS_PAYLOAD_SIZE);
    }
    this.copied = at + count * TS_PAYLOAD_SIZE;
  }

  /** Emits the PES in progress, if any. */
  finish(out: PesPacket[]): PesFailure | undefined {
    if (!this.open) return undefined;
    this.settle();
    this.open = false;
    if (this.len === 0) return undefined;
    const result = this.emit(this.scratch!, out);
    if (result) this.lossPending = true;
    this.shrink();
    return result;
  }

  /** The scratch buffer, grown (by doubling) to hold `need` bytes; what it holds is kept. */
  private room(need: number): Uint8Array {
    const scratch = this.scratch;
    if (scratch && need <= scratch.length) return scratch;
    const grown = new Uint8Array(Math.min(MAX_PES_SIZE + RUN_SLACK, Math.max(need, INITIAL_PES_CAPACITY, (scratch?.length ?? 0) * 2)));
    if (scratch) grown.set(scratch.subarray(0, this.copied));
    this.scratch = grown;
    return grown;
  }

  private emit(buf: Uint8Array, out: PesPacket[]): PesFailure | undefined {
    const declared = this.declaredSize();
    if (this.broken) return "dropped";
    try {
      const h = parsePesHeader(buf.subarray(0, this.len));
      // PES_packet_length promised more than came before the next unit start (2.4.3.7).
      if (declared > 0 && this.len < declared) return "truncated";
      const end = declared > 0 ? declared : this.len;
      if (h.payloadOffset > end) throw new ParseError("PES: header past end");
      const dts = h.dts === undefined ? undefined : this.unwrapper.unwrap(h.dts);
      const pts = h.pts === undefined ? undefined : this.unwrapper.unwrap(h.pts);
      const payload = buf.subarray(h.payloadOffset, end);
      const { data, storage } = this.arena ? this.arena.copy(payload) : { data: payload.slice(), storage: undefined };
      out.push({
        pid: this.pid,
        streamType: this.streamType,
        pts,
        dts: dts ?? pts,
        data,
        storage,
        randomAccess: this.randomAccess,
        discontinuity: this.discontinuity,
        lost: this.lossPending,
      });
      this.lossPending = false;
      return undefined;
    } catch (e) {
      if (e instanceof ParseError) return "error";
      throw e;
    }
  }

  private shrink(): void {
    this.recentMax = Math.max(this.recentMax, this.len);
    if (++this.recentCount < SHRINK_CHECK) return;
    if (this.scratch && this.scratch.length > SHRINK_FACTOR * Math.max(this.recentMax, INITIAL_PES_CAPACITY)) this.scratch = undefined;
    this.recentMax = 0;
    this.recentCount = 0;
  }

  /** Total PES size from PES_packet_length, 0 when unbounded or not known yet. */
  private declaredSize(): number {
    if (this.len < PES_FIXED_HEADER) return 0;
    if (this.copied < PES_FIXED_HEADER) this.settle();
    const buf = this.scratch;
    if (!buf) return 0;
    const n = (buf[4]! << 8) | buf[5]!;
    return n === 0 ? 0 : PES_FIXED_HEADER + n;
  }
}
