import type { UnitStorage } from "../../core/access-unit.ts";
import { ParseError } from "../../core/errors.ts";
import type { UnitArena } from "../../core/unit-arena.ts";
import { CopyWriter, type UnitWriter } from "../../core/unit-writer.ts";
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

export interface PesPacket {
  readonly pid: number;
  readonly streamType: number;
  /** 90 kHz, unwrapped past 2^33 (see TimestampUnwrapper). */
  readonly pts?: number;
  readonly dts?: number;
  /** The elementary stream bytes, assembled from the transport packets (an exact-size copy, or a view into the arena's slab). */
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
 * Packets without an adaptation field that follow each other in the caller's
 * buffer are copied as one run; at most this many, so a PES needs only
 * RUN_SLACK bytes past MAX_PES_SIZE for the headers copied along.
 */
const MAX_RUN = 256;
const RUN_SLACK = MAX_RUN * TS_HEADER_SIZE;

/**
 * Reassembles the PES packets of one PID (ISO/IEC 13818-1 2.4.3.6).
 *
 * Packets are copied into the memory of a UnitWriter: with an arena, the
 * slab the finished PES stays in (the unit's bytes are a view after the PES
 * header, no copy at the end); without one, a scratch buffer kept from PES
 * to PES that a finished PES leaves as an exact-size copy. A PES that is
 * dropped (lost packets, oversize, bad header) is simply not committed.
 *
 * Packets without an adaptation field that lie back to back in the caller's
 * buffer (most of a picture) are not copied one by one: the run is copied
 * whole, headers included, and each payload then moved down over the headers
 * with copyWithin, which makes no view object per packet. The run is copied
 * before anything reads the PES bytes and before the caller's push returns
 * (`settle`), since the caller reuses its buffer.
 */
export class PesAssembler {
  private readonly writer: UnitWriter;
  /** A PES is in progress (its bytes are the writer's [start, start + len), the last of them maybe still in the pending run). */
  private open = false;
  private len = 0;
  /** Bytes of the PES already in the writer; len minus the payload of the pending run. */
  private copied = 0;
  /** The pending run: whole packets runBuf[runFrom..runTo), each with its payload right after the 4-byte header. */
  private runBuf: Uint8Array | undefined;
  private runFrom = 0;
  private runTo = 0;
  private broken = false;
  private randomAccess = false;
  private discontinuity = false;
  /** Something was lost since the last PES we emitted: the next one says so. */
  private lossPending = false;

  constructor(
    readonly pid: number,
    readonly streamType: number,
    private readonly unwrapper: TimestampUnwrapper,
    arena?: UnitArena,
  ) {
    this.writer = arena ? arena.writer(MAX_PES_SIZE + RUN_SLACK) : new CopyWriter(MAX_PES_SIZE + RUN_SLACK);
  }

  /** A packet was lost: the PES in progress cannot be used. */
  markBroken(): void {
    if (this.open) this.broken = true;
    this.lossPending = true;
  }

  /** Bytes this assembler holds: the PES in progress, or its scratch buffer (at most MAX_PES_SIZE + RUN_SLACK). */
  get buffered(): number {
    return this.writer.held;
  }

  /** Feeds the packet at `buf[at]` whose header is `p`; returns a finished PES, or why one was thrown away. */
  push(p: TsHeader, buf: Uint8Array, at: number, out: PesPacket[]): PesFailure | undefined {
    let result: PesFailure | undefined;
    if (p.payloadUnitStart) {
      result = this.finish(out);
      this.writer.begin();
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
      const w = this.writer;
      w.reserve(need, this.copied);
      w.bytes.set(buf.subarray(from, end), w.start + this.copied);
      this.copied = need;
    }
    // A PES with a length is complete without waiting for the next unit start.
    const declared = this.declaredSize();
    if (declared > 0 && this.len >= declared) return this.finish(out) ?? result;
    return result;
  }

  /** Copies the pending run into the writer: call before the packets' buffer changes. */
  settle(): void {
    const buf = this.runBuf;
    if (!buf) return;
    this.runBuf = undefined;
    const count = (this.runTo - this.runFrom) / TS_PACKET_SIZE;
    const w = this.writer;
    w.reserve(this.copied + count * TS_PACKET_SIZE - TS_HEADER_SIZE, this.copied);
    const bytes = w.bytes;
    const at = w.start + this.copied;
    // Payload k lands at at + 188k; it belongs at at + 184k. Moving in order never overwrites a payload not yet moved.
    bytes.set(buf.subarray(this.runFrom + TS_HEADER_SIZE, this.runTo), at);
    for (let k = 1; k < count; k++) {
      const src = at + k * TS_PACKET_SIZE;
      bytes.copyWithin(at + k * TS_PAYLOAD_SIZE, src, src + TS_PAYLOAD_SIZE);
    }
    this.copied += count * TS_PAYLOAD_SIZE;
  }

  /** Emits the PES in progress, if any. */
  finish(out: PesPacket[]): PesFailure | undefined {
    if (!this.open) return undefined;
    this.settle();
    this.open = false;
    if (this.len === 0) return undefined;
    const result = this.emit(out);
    if (result) this.lossPending = true;
    return result;
  }

  private emit(out: PesPacket[]): PesFailure | undefined {
    const declared = this.declaredSize();
    if (this.broken) return "dropped";
    const w = this.writer;
    try {
      const h = parsePesHeader(w.bytes.subarray(w.start, w.start + this.len));
      // PES_packet_length promised more than came before the next unit start (2.4.3.7).
      if (declared > 0 && this.len < declared) return "truncated";
      const end = declared > 0 ? declared : this.len;
      if (h.payloadOffset > end) throw new ParseError("PES: header past end");
      const dts = h.dts === undefined ? undefined : this.unwrapper.unwrap(h.dts);
      const pts = h.pts === undefined ? undefined : this.unwrapper.unwrap(h.pts);
      const { data, storage } = w.commit(h.payloadOffset, end);
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

  /** Total PES size from PES_packet_length, 0 when unbounded or not known yet. */
  private declaredSize(): number {
    if (this.len < PES_FIXED_HEADER) return 0;
    if (this.copied < PES_FIXED_HEADER) this.settle();
    const { bytes, start } = this.writer;
    const n = (bytes[start + 4]! << 8) | bytes[start + 5]!;
    return n === 0 ? 0 : PES_FIXED_HEADER + n;
  }
}
