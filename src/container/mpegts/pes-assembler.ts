import { ParseError } from "../../core/errors.ts";
import { PES_FIXED_HEADER, parsePesHeader } from "./pes.ts";
import { TS_PACKET_SIZE } from "./constants.ts";
import type { TsHeader } from "./packet.ts";
import type { TimestampUnwrapper } from "./timestamp.ts";

/**
 * Largest PES we buffer. The biggest real frames are 4K intra pictures of a
 * few MB (H.264 level 5.2 MaxCPB is 240 Mbit = 30 MB for a whole buffer, but
 * one frame of a 100 Mbit/s stream is far below that); 16 MiB keeps headroom
 * and bounds the memory a broken stream without unit starts can take.
 */
export const MAX_PES_SIZE = 16 * 1024 * 1024;
/** First allocation when a PES has no length and its PID no history yet. */
const INITIAL_PES_CAPACITY = 64 * 1024;

export interface PesPacket {
  readonly pid: number;
  readonly streamType: number;
  /** 90 kHz, unwrapped past 2^33 (see TimestampUnwrapper). */
  readonly pts?: number;
  readonly dts?: number;
  /** The elementary stream bytes: one copy made from the transport packets. */
  readonly data: Uint8Array;
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

/** Reassembles the PES packets of one PID (ISO/IEC 13818-1 2.4.3.6). */
export class PesAssembler {
  private buf: Uint8Array | undefined;
  private len = 0;
  private broken = false;
  private randomAccess = false;
  private discontinuity = false;
  private lastSize = 0;
  /** Something was lost since the last PES we emitted: the next one says so. */
  private lossPending = false;

  constructor(
    readonly pid: number,
    readonly streamType: number,
    private readonly unwrapper: TimestampUnwrapper,
  ) {}

  /** A packet was lost: the PES in progress cannot be used. */
  markBroken(): void {
    if (this.buf) this.broken = true;
    this.lossPending = true;
  }

  /** Bytes held for the PES in progress. */
  get buffered(): number {
    return this.buf?.length ?? 0;
  }

  /** Feeds the packet at `buf[at]` whose header is `p`; returns a finished PES, or why one was thrown away. */
  push(p: TsHeader, buf: Uint8Array, at: number, out: PesPacket[]): PesFailure | undefined {
    let result: PesFailure | undefined;
    if (p.payloadUnitStart) {
      result = this.finish(out);
      // Sized like the previous PES plus a quarter, so most need no growth.
      this.buf = new Uint8Array(this.lastSize > 0 ? this.lastSize + (this.lastSize >> 2) : INITIAL_PES_CAPACITY);
      this.len = 0;
      this.broken = false;
      this.randomAccess = false;
      this.discontinuity = false;
    }
    if (!this.buf) return result;
    this.randomAccess ||= p.randomAccess;
    this.discontinuity ||= p.discontinuity;
    const from = at + p.payloadOffset;
    const end = at + TS_PACKET_SIZE;
    const need = this.len + (end - from);
    if (need > MAX_PES_SIZE) {
      this.buf = undefined;
      this.lossPending = true;
      return "dropped";
    }
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.min(MAX_PES_SIZE, Math.max(need, this.buf.length * 2)));
      grown.set(this.buf.subarray(0, this.len));
      this.buf = grown;
    }
    this.buf.set(buf.subarray(from, end), this.len);
    this.len = need;
    // A PES with a length is complete without waiting for the next unit start.
    const declared = this.declaredSize();
    if (declared > 0 && this.len >= declared) return this.finish(out) ?? result;
    return result;
  }

  /** Emits the PES in progress, if any. */
  finish(out: PesPacket[]): PesFailure | undefined {
    const buf = this.buf;
    if (!buf) return undefined;
    this.buf = undefined;
    if (this.len === 0) return undefined;
    const result = this.emit(buf, out);
    if (result) this.lossPending = true;
    return result;
  }

  private emit(buf: Uint8Array, out: PesPacket[]): PesFailure | undefined {
    const declared = this.declaredSize(buf);
    if (this.broken) return "dropped";
    try {
      const h = parsePesHeader(buf.subarray(0, this.len));
      // PES_packet_length promised more than came before the next unit start (2.4.3.7).
      if (declared > 0 && this.len < declared) return "truncated";
      const end = declared > 0 ? declared : this.len;
      if (h.payloadOffset > end) throw new ParseError("PES: header past end");
      this.lastSize = end;
      const dts = h.dts === undefined ? undefined : this.unwrapper.unwrap(h.dts);
      const pts = h.pts === undefined ? undefined : this.unwrapper.unwrap(h.pts);
      out.push({
        pid: this.pid,
        streamType: this.streamType,
        pts,
        dts: dts ?? pts,
        data: buf.subarray(h.payloadOffset, end),
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
  private declaredSize(buf = this.buf): number {
    if (!buf || this.len < PES_FIXED_HEADER) return 0;
    const n = (buf[4]! << 8) | buf[5]!;
    return n === 0 ? 0 : PES_FIXED_HEADER + n;
  }
}
