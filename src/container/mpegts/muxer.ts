import type { AccessUnit } from "../../core/access-unit.ts";
import type { Track } from "../../core/track.ts";
import { ADTS_HEADER_LENGTH, writeAdtsHeader } from "../../codec/aac/adts.ts";
import { aacSampleRateIndex, parseAudioSpecificConfig, AAC_LC } from "../../codec/aac/config.ts";
import { H264_AUD, H264_NAL, h264NalType } from "../../codec/h264/nal.ts";
import { H265_AUD, H265_NAL, h265NalType } from "../../codec/h265/nal.ts";
import { PID_NULL, PID_PAT, PTS_MODULO, STREAM_TYPE, TS_CLOCK_RATE } from "./constants.ts";
import { buildPesHeader } from "./pes-writer.ts";
import { buildPat, buildPmt } from "./psi-writer.ts";
import type { PmtStream } from "./psi.ts";
import { TsPacketWriter, type TsPacketSink } from "./packet-writer.ts";

export type { TsPacketSink } from "./packet-writer.ts";

/** PIDs we assign: PMT at 0x1000 and elementary streams from 0x100, as ffmpeg does. */
export const PMT_PID = 0x1000;
export const FIRST_ES_PID = 0x100;
const PROGRAM_NUMBER = 1;
const TRANSPORT_STREAM_ID = 1;
/** stream_id ranges (ISO/IEC 13818-1 Table 2-22): video 0xE0.., audio 0xC0... */
const VIDEO_STREAM_ID = 0xe0;
const AUDIO_STREAM_ID = 0xc0;
/** PCR is sent this far before the DTS, so a decoder has the frame before it is due (T-STD, 2.4.2). */
const PCR_LEAD_90K = 9000;
/** ISO/IEC 13818-1 2.7.2: PCRs at most 100 ms apart. */
const MAX_PCR_INTERVAL_90K = 9000;
const START_CODE = new Uint8Array([0, 0, 0, 1]);
/** Placeholder for the PES header in front of the payload pieces. */
const NO_HEADER = new Uint8Array(0);

interface Stream {
  readonly pid: number;
  readonly streamType: number;
  readonly streamId: number;
  track: Track;
}

/**
 * MPEG-TS multiplexer: one PES per access unit, written straight into packets
 * the sink lends (ISO/IEC 13818-1). Video gets an AUD and, on keyframes, its
 * parameter sets; AAC frames get ADTS headers.
 */
export class TsMuxer {
  private readonly out: TsPacketWriter;
  private streams = new Map<number, Stream>();
  private pcrPid = PID_NULL;
  private pmtVersion = 0;
  private tablesWritten = false;
  private lastPcr: number | undefined;
  /** The audio track whose AudioSpecificConfig was read last, and the ADTS fields from it. */
  private adtsTrack: Track | undefined;
  private adtsFields: { objectType: number; sampleRateIndex: number; channels: number } | undefined;

  constructor(sink: TsPacketSink, tracks: readonly Track[]) {
    this.out = new TsPacketWriter(sink);
    this.setTracks(tracks);
  }

  /** Takes new track objects (changed parameters, or tracks added); the PMT is resent when it changes. */
  setTracks(tracks: readonly Track[]): void {
    const before = this.pmtStreams();
    const streams = new Map<number, Stream>();
    let video = 0;
    let audio = 0;
    for (const t of tracks) {
      const streamType = t.codec === "h264" ? STREAM_TYPE.H264 : t.codec === "h265" ? STREAM_TYPE.H265 : t.codec === "aac" ? STREAM_TYPE.AAC_ADTS : 0;
      if (streamType === 0) continue;
      const streamId = t.kind === "video" ? VIDEO_STREAM_ID + video++ : AUDIO_STREAM_ID + audio++;
      streams.set(t.id, { pid: FIRST_ES_PID + t.id, streamType, streamId, track: t });
    }
    this.streams = streams;
    const pcr = [...streams.values()].find((s) => s.track.kind === "video") ?? [...streams.values()][0];
    this.pcrPid = pcr?.pid ?? PID_NULL;
    const after = this.pmtStreams();
    if (JSON.stringify(before) !== JSON.stringify(after) && this.tablesWritten) {
      this.pmtVersion = (this.pmtVersion + 1) & 0x1f;
      this.tablesWritten = false;
    }
  }

  /** PAT and PMT, each in one packet; call at every segment start. */
  writeTables(): void {
    this.out.section(PID_PAT, buildPat(TRANSPORT_STREAM_ID, PROGRAM_NUMBER, PMT_PID));
    this.out.section(PMT_PID, buildPmt(PROGRAM_NUMBER, this.pmtVersion, this.pcrPid, this.pmtStreams()));
    this.tablesWritten = true;
  }

  /** `count` null packets (filler, e.g. to give a short file a size probes recognise). */
  writeNullPackets(count: number): void {
    this.out.nullPackets(count);
  }

  /** Writes one access unit as one PES; false when its track is not muxed. */
  writeAccessUnit(au: AccessUnit): boolean {
    const s = this.streams.get(au.track.id);
    if (!s) return false;
    if (!this.tablesWritten) this.writeTables();
    const rate = au.track.clockRate;
    const pts = rate === TS_CLOCK_RATE ? au.pts : Math.round((au.pts * TS_CLOCK_RATE) / rate);
    const dts = rate === TS_CLOCK_RATE ? au.dts : Math.round((au.dts * TS_CLOCK_RATE) / rate);
    // pieces[0] is the PES header, filled in once the payload size is known.
    const pieces = s.streamType === STREAM_TYPE.AAC_ADTS ? this.adts(au) : this.annexB(au, s);
    let size = 0;
    for (let i = 1; i < pieces.length; i++) size += pieces[i]!.length;
    const header = buildPesHeader(s.streamId, pts, dts, size, s.track.kind === "audio");
    pieces[0] = header;
    let pcr: number | undefined;
    if (s.pid === this.pcrPid) pcr = this.nextPcr(dts);
    else if (this.lastPcr !== undefined && dts - PCR_LEAD_90K - this.lastPcr > MAX_PCR_INTERVAL_90K) {
      // The PCR stream is idle (a slow camera): keep the clock going on its PID.
      this.out.pcrOnly(this.pcrPid, this.nextPcr(dts) % PTS_MODULO);
    }
    this.out.pes(s.pid, pieces, size + header.length, au.key && s.track.kind === "video", pcr === undefined ? undefined : pcr % PTS_MODULO);
    return true;
  }

  private nextPcr(dts90k: number): number {
    const pcr = Math.max(0, dts90k - PCR_LEAD_90K, this.lastPcr ?? 0);
    this.lastPcr = pcr;
    return pcr;
  }

  private pmtStreams(): PmtStream[] {
    return [...this.streams.values()].map((s) => ({ streamType: s.streamType, pid: s.pid }));
  }

  private annexB(au: AccessUnit, s: Stream): Uint8Array[] {
    const h265 = s.streamType === STREAM_TYPE.H265;
    const type = h265 ? h265NalType : h264NalType;
    const out: Uint8Array[] = [NO_HEADER, START_CODE, h265 ? H265_AUD : H264_AUD];
    const track = au.track; // the parameters this unit was coded with
    if (au.key && track.kind === "video" && !au.units.some((u) => type(u) === (h265 ? H265_NAL.SPS : H264_NAL.SPS))) {
      for (const p of h265 ? [track.vps, track.sps, track.pps] : [track.sps, track.pps]) if (p) out.push(START_CODE, p);
    }
    for (const u of au.units) {
      if (type(u) === (h265 ? H265_NAL.AUD : H264_NAL.AUD)) continue;
      out.push(START_CODE, u);
    }
    return out;
  }

  private adts(au: AccessUnit): Uint8Array[] {
    const t = au.track;
    const out: Uint8Array[] = [NO_HEADER];
    if (t.kind !== "audio") return out;
    if (t !== this.adtsTrack) {
      const c = t.config ? parseAudioSpecificConfig(t.config) : { objectType: AAC_LC, sampleRate: t.sampleRate, channels: t.channels };
      this.adtsTrack = t;
      this.adtsFields = { objectType: c.objectType, sampleRateIndex: aacSampleRateIndex(c.sampleRate), channels: c.channels };
    }
    const f = this.adtsFields!;
    for (const u of au.units) {
      // One small array per header: written whole into the packet, no view needed.
      const header = new Uint8Array(ADTS_HEADER_LENGTH);
      writeAdtsHeader(header, 0, { objectType: f.objectType, sampleRateIndex: f.sampleRateIndex, channels: f.channels, frameLength: ADTS_HEADER_LENGTH + u.length });
      out.push(header, u);
    }
    return out;
  }
}
