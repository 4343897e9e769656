import type { AccessUnit } from "../core/access-unit.ts";
import type { Track } from "../core/track.ts";
import { TS_PACKET_SIZE } from "../container/mpegts/constants.ts";
import { TsMuxer, type TsPacketSink } from "../container/mpegts/muxer.ts";
import type { Packager } from "./packager.ts";
import type { SegmentBytes } from "./segment-bytes.ts";

const EMPTY = new Uint8Array(0);

/**
 * ffmpeg takes a file for MPEG-TS from its first 2048 bytes only when they
 * are all there (libavformat mpegts_probe: at least 10 x 204 bytes); a
 * shorter segment (a keyframe and an audio frame, ended by a discontinuity)
 * scores 2 and is read as MPEG-PS, whose audio stream ids mean MP2. Eleven
 * packets are 2068 bytes.
 */
const MIN_SEGMENT_PACKETS = 11;

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

  /** Called when the segment ends: a short one is filled up with null packets (MIN_SEGMENT_PACKETS). */
  flush(): void {
    const missing = this.target ? MIN_SEGMENT_PACKETS - this.target.byteLength / TS_PACKET_SIZE : 0;
    if (missing > 0) this.muxer!.writeNullPackets(missing);
  }

  drop(): void {
    this.target = undefined;
    this.buffer = EMPTY;
  }
}
