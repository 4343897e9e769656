import type { AccessUnit } from "../core/access-unit.ts";
import type { Track } from "../core/track.ts";
import { TS_PACKET_SIZE } from "../container/mpegts/constants.ts";
import { TsMuxer, type TsPacketSink } from "../container/mpegts/muxer.ts";
import type { Packager } from "./packager.ts";
import type { SegmentBytes } from "./segment-bytes.ts";

const EMPTY = new Uint8Array(0);

/**
 * MPEG-TS segments. One TsMuxer for the muxer's whole life, so continuity
 * counters run on across segment boundaries; packets are written straight
 * into the segment's pool chunks (no copy), a run of them per reservation.
 */
export class TsPackager implements Packager, TsPacketSink {
  readonly extension = "ts";
  readonly init = undefined;
  private muxer: TsMuxer | undefined;
  private target: SegmentBytes | undefined;
  tracks: readonly Track[] = [];
  /** Where the packets reserved last are (TsPacketSink). */
  buffer: Uint8Array = EMPTY;
  offset = 0;

  constructor(chunkSize: number) {
    if (chunkSize % TS_PACKET_SIZE !== 0) throw new Error("chunk size must be a multiple of 188");
  }

  reserve(max: number): number {
    const target = this.target;
    if (!target) throw new Error("no segment open");
    const n = target.reserveRun(TS_PACKET_SIZE, max);
    this.buffer = target.runChunk;
    this.offset = target.runOffset;
    return n;
  }

  begin(bytes: SegmentBytes, tracks: readonly Track[]): void {
    this.target = bytes;
    this.setTracks(tracks);
    this.muxer ??= new TsMuxer(this, tracks);
    // PAT and PMT open every segment so each one decodes alone.
    this.muxer.writeTables();
  }

  setTracks(tracks: readonly Track[]): void {
    this.tracks = tracks;
    this.muxer?.setTracks(tracks);
  }

  add(au: AccessUnit): void {
    this.muxer!.writeAccessUnit(au);
  }

  flush(): void {}

  drop(): void {
    this.target = undefined;
    this.buffer = EMPTY;
  }
}
