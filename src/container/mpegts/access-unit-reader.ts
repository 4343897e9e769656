import type { AccessUnit } from "../../core/access-unit.ts";
import { bytesEqual } from "../../core/bytes.ts";
import { ParseError } from "../../core/errors.ts";
import { withParameters, type AudioTrack, type Track, type VideoTrack } from "../../core/track.ts";
import { splitAdts } from "../../codec/aac/adts.ts";
import { AAC_FRAME_SAMPLES, buildAudioSpecificConfig } from "../../codec/aac/config.ts";
import { splitAnnexB } from "../../codec/annexb.ts";
import { H264_NAL, h264NalType, isH264Keyframe } from "../../codec/h264/nal.ts";
import { H265_NAL, h265NalType, isH265Keyframe } from "../../codec/h265/nal.ts";
import { findParameterSets, type ParameterSets, spsDimensions } from "../../codec/parameter-sets.ts";
import { STREAM_TYPE, TS_CLOCK_RATE } from "./constants.ts";
import { TsDemuxer, type PesPacket, type TsDemuxerOptions } from "./demuxer.ts";

interface TrackState {
  track: Track;
  /** Whether an access unit already points at `track`: then a change needs a new version. */
  used: boolean;
  /** Video only: a frame was lost, so units up to the next keyframe would decode to garbage. */
  waitKey: boolean;
}

/**
 * Turns MPEG-TS bytes into AccessUnits: one per video PES, one per ADTS frame.
 * Parameter sets are taken in-band; a changed SPS/PPS/VPS or ADTS header
 * makes a new Track object (version + 1) for the units that follow.
 *
 * After a loss on a video PID (the demuxer flags the next PES `lost`), the
 * frames that follow reference the missing one: they are dropped until the
 * next keyframe (IDR, or IRAP for H.265) and counted in
 * `stats.unitsDroppedAfterLoss`. Lost audio costs just the lost frames.
 */
export class TsAccessUnitReader {
  readonly demuxer: TsDemuxer;
  readonly stats = { parseErrors: 0, noTimestamp: 0, unitsDroppedAfterLoss: 0 };
  private readonly states = new Map<number, TrackState>();
  private nextId = 0;
  /** The demuxer's program that `states` was last matched with (a new PMT makes a new object). */
  private program: TsDemuxer["program"];

  constructor(options: TsDemuxerOptions = {}) {
    this.demuxer = new TsDemuxer(options);
  }

  /** Current tracks, in PMT order. */
  get tracks(): Track[] {
    return [...this.states.values()].map((s) => s.track);
  }

  /** How many tracks there are, without building the list. */
  get trackCount(): number {
    return this.states.size;
  }

  push(chunk: Uint8Array): AccessUnit[] {
    return this.convert(this.demuxer.push(chunk));
  }

  flush(): AccessUnit[] {
    return this.convert(this.demuxer.flush());
  }

  private convert(packets: PesPacket[]): AccessUnit[] {
    const out: AccessUnit[] = [];
    if (this.demuxer.program !== this.program) this.followProgram();
    for (const pes of packets) {
      const state = this.states.get(pes.pid);
      if (!state) continue;
      if (pes.lost && state.track.kind === "video") state.waitKey = true;
      if (pes.pts === undefined) {
        this.stats.noTimestamp++;
        continue;
      }
      try {
        if (pes.streamType === STREAM_TYPE.AAC_ADTS) this.audio(state, pes, pes.pts, out);
        else this.video(state, pes, pes.pts, out);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        this.stats.parseErrors++;
        if (state.track.kind === "video") state.waitKey = true;
      }
    }
    return out;
  }

  /** Tracks for the streams of a new PMT. */
  private followProgram(): void {
    this.program = this.demuxer.program;
    const streams = this.program?.streams ?? [];
    for (const s of streams) {
      if (!this.states.has(s.pid)) this.states.set(s.pid, { track: newTrack(this.nextId++, s.streamType), used: false, waitKey: false });
    }
    // A new PMT version can drop streams (or fix PIDs that pointed nowhere): forget their tracks.
    for (const pid of this.states.keys()) if (!streams.some((s) => s.pid === pid)) this.states.delete(pid);
  }

  private video(state: TrackState, pes: PesPacket, pts: number, out: AccessUnit[]): void {
    const h265 = pes.streamType === STREAM_TYPE.H265;
    const nal = h265 ? H265_NAL : null;
    const units: Uint8Array[] = [];
    for (const u of splitAnnexB(pes.data)) {
      const type = h265 ? h265NalType(u) : h264NalType(u);
      if (type !== (nal ? nal.AUD : H264_NAL.AUD)) units.push(u);
    }
    this.updateVideo(state, findParameterSets(h265 ? "h265" : "h264", units), h265);
    if (units.length === 0) return;
    const key = h265 ? isH265Keyframe(units) : isH264Keyframe(units);
    if (state.waitKey) {
      if (!key) {
        this.stats.unitsDroppedAfterLoss++;
        return;
      }
      state.waitKey = false;
    }
    state.used = true;
    out.push({ track: state.track, pts, dts: pes.dts ?? pts, key, units, storage: pes.storage });
  }

  private updateVideo(state: TrackState, params: ParameterSets, h265: boolean): void {
    const track = state.track as VideoTrack;
    const changes: { vps?: Uint8Array; sps?: Uint8Array; pps?: Uint8Array; width?: number; height?: number } = {};
    // Copies: parameter sets outlive the PES buffer they arrived in.
    if (params.vps && !bytesEqual(params.vps, track.vps)) changes.vps = params.vps.slice();
    if (params.pps && !bytesEqual(params.pps, track.pps)) changes.pps = params.pps.slice();
    if (params.sps && !bytesEqual(params.sps, track.sps)) {
      changes.sps = params.sps.slice();
      const size = spsDimensions(h265 ? "h265" : "h264", params.sps);
      if (size) Object.assign(changes, size);
      else this.stats.parseErrors++;
    }
    if (Object.keys(changes).length > 0) this.update(state, changes);
  }

  private audio(state: TrackState, pes: PesPacket, pts: number, out: AccessUnit[]): void {
    const { frames } = splitAdts(pes.data);
    let offset = 0;
    for (const f of frames) {
      const h = f.header;
      const track = state.track as AudioTrack;
      if (h.sampleRate !== track.sampleRate || h.channels !== track.channels || !track.config) {
        const config = buildAudioSpecificConfig({ objectType: h.objectType, sampleRate: h.sampleRate, channels: h.channels || 2 });
        this.update(state, { sampleRate: h.sampleRate, clockRate: h.sampleRate, channels: h.channels, config });
      } else if (config(track.config) !== h.objectType) {
        this.update(state, { config: buildAudioSpecificConfig({ objectType: h.objectType, sampleRate: h.sampleRate, channels: h.channels || 2 }) });
      }
      const t = Math.round((pts * h.sampleRate) / TS_CLOCK_RATE) + offset;
      offset += AAC_FRAME_SAMPLES * h.rawBlocks;
      state.used = true;
      out.push({ track: state.track, pts: t, dts: t, key: true, units: [f.data], storage: pes.storage });
    }
  }

  private update(state: TrackState, changes: Partial<VideoTrack> | Partial<AudioTrack>): void {
    const track = state.track;
    state.track = state.used
      ? withParameters(track, changes as Partial<Omit<Track, "id" | "version" | "kind">>)
      : ({ ...track, ...changes } as Track);
    state.used = false;
  }
}

function newTrack(id: number, streamType: number): Track {
  if (streamType === STREAM_TYPE.AAC_ADTS) {
    // Rate and channels come with the first ADTS header, before any unit is emitted.
    return { id, version: 0, kind: "audio", codec: "aac", clockRate: TS_CLOCK_RATE, sampleRate: 0, channels: 0 };
  }
  return { id, version: 0, kind: "video", codec: streamType === STREAM_TYPE.H265 ? "h265" : "h264", clockRate: TS_CLOCK_RATE };
}

/** audioObjectType from a 2-byte AudioSpecificConfig we built. */
function config(asc: Uint8Array): number {
  return asc[0]! >> 3;
}
