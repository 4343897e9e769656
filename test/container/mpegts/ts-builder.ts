import { ADTS_HEADER_LENGTH, writeAdtsHeader } from "../../../src/codec/aac/adts.ts";
import { aacSampleRateIndex } from "../../../src/codec/aac/config.ts";
import { PID_PAT, PTS_MODULO, STREAM_TYPE, TS_PACKET_SIZE } from "../../../src/container/mpegts/constants.ts";
import { parseTsPacket } from "../../../src/container/mpegts/packet.ts";
import { TsPacketWriter } from "../../../src/container/mpegts/packet-writer.ts";
import { buildPesHeader } from "../../../src/container/mpegts/pes-writer.ts";
import { buildPatPrograms, buildPmt } from "../../../src/container/mpegts/psi-writer.ts";
import type { PatEntry, PmtStream } from "../../../src/container/mpegts/psi.ts";
import { CollectSink, nal, PPS, SPS } from "./helpers.ts";

const START_CODE = new Uint8Array([0, 0, 0, 1]);
/** 25 fps video and 48 kHz AAC (1024 samples a frame) on the 90 kHz clock. */
export const FRAME_90K = 3600;
export const AAC_FRAME_90K = 1920;
/** PTS of frame 0: past the PCR lead, as a muxer would start. */
export const START_90K = 9000;

export const H264_AAC: readonly PmtStream[] = [
  { streamType: STREAM_TYPE.H264, pid: 0x100 },
  { streamType: STREAM_TYPE.AAC_ADTS, pid: 0x101 },
];

export interface PesOptions {
  /** PCR to carry in the PES's first packet. */
  readonly pcr?: number;
  /** Sets discontinuity_indicator on that first packet (needs `pcr`). */
  readonly discontinuity?: boolean;
  /** Overrides PES_packet_length (bytes after the field). */
  readonly packetLength?: number;
}

/** Writes transport streams by hand, for inputs TsMuxer would never make. */
export class TsBuilder {
  private readonly sink = new CollectSink();
  private readonly writer = new TsPacketWriter(this.sink);

  get packets(): number {
    return this.sink.count;
  }

  /** A copy: the builder may go on writing. */
  bytes(): Uint8Array {
    return this.sink.bytes().slice();
  }

  pat(programs: readonly PatEntry[]): this {
    this.writer.section(PID_PAT, buildPatPrograms(1, programs));
    return this;
  }

  pmt(pid: number, programNumber: number, pcrPid: number, streams: readonly PmtStream[], version = 0): this {
    this.writer.section(pid, buildPmt(programNumber, version, pcrPid, streams));
    return this;
  }

  /** Frame `i` of H.264: an IDR with SPS and PPS every `gop` frames, else a P slice. */
  video(pid: number, i: number, gop = 25, o: PesOptions = {}): this {
    const key = i % gop === 0;
    const parts = key ? [START_CODE, SPS, START_CODE, PPS, START_CODE, nal(0x65, 500, i)] : [START_CODE, nal(0x41, 300, i)];
    return this.pes(pid, 0xe0, START_90K + i * FRAME_90K, parts, false, key, o);
  }

  /** AAC frame `i` (48 kHz stereo) in one bounded PES. */
  audio(pid: number, i: number, o: PesOptions = {}): this {
    const body = nal(0x21, 200, i);
    const header = new Uint8Array(ADTS_HEADER_LENGTH);
    writeAdtsHeader(header, 0, { objectType: 2, sampleRateIndex: aacSampleRateIndex(48000), channels: 2, frameLength: ADTS_HEADER_LENGTH + body.length });
    return this.pes(pid, 0xc0, START_90K + i * AAC_FRAME_90K, [header, body], true, false, o);
  }

  private pes(pid: number, streamId: number, pts: number, parts: Uint8Array[], bounded: boolean, key: boolean, o: PesOptions): this {
    const size = parts.reduce((n, p) => n + p.length, 0);
    const header = buildPesHeader(streamId, pts, pts, size, bounded);
    if (o.packetLength !== undefined) header.set([o.packetLength >> 8, o.packetLength & 0xff], 4);
    const first = this.sink.count;
    this.writer.pes(pid, [header, ...parts], size + header.length, key, o.pcr);
    if (o.discontinuity) this.sink.bytes()[first * TS_PACKET_SIZE + 5] |= 0x80;
    return this;
  }
}

/** Cuts `bytes` into datagrams of `size` bytes, as a UDP sender with pkt_size does. */
export function datagrams(bytes: Uint8Array, size = 7 * TS_PACKET_SIZE): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** PIDs of the stream `simpleStream` writes. */
export const PMT_PID = 0x1000;
export const VIDEO_PID = 0x100;
export const AUDIO_PID = 0x101;

/**
 * PAT, PMT (program 1: H.264 + AAC) and `frames` video frames (a keyframe
 * every `gop`) with the audio frames of the same span between them; each
 * video PES carries PCR `pcr(i)`.
 */
export function simpleStream(frames: number, gop = 10, pcr = (i: number) => i * FRAME_90K): TsBuilder {
  const b = new TsBuilder().pat([{ programNumber: 1, pmtPid: PMT_PID }]).pmt(PMT_PID, 1, VIDEO_PID, H264_AAC);
  let a = 0;
  for (let i = 0; i < frames; i++) {
    b.video(VIDEO_PID, i, gop, { pcr: pcr(i) % PTS_MODULO });
    while (a * AAC_FRAME_90K < (i + 1) * FRAME_90K) b.audio(AUDIO_PID, a++);
  }
  return b;
}

/** Packet indexes of each PES of `pid`, in order. */
export function pesPackets(bytes: Uint8Array, pid: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i * TS_PACKET_SIZE < bytes.length; i++) {
    const p = parseTsPacket(bytes.subarray(i * TS_PACKET_SIZE, (i + 1) * TS_PACKET_SIZE));
    if (p.pid !== pid) continue;
    if (p.payloadUnitStart) out.push([]);
    out.at(-1)?.push(i);
  }
  return out;
}

/** `bytes` without the packets at `indexes`. */
export function withoutPackets(bytes: Uint8Array, indexes: readonly number[]): Uint8Array {
  const skip = new Set(indexes);
  const out = new Uint8Array(bytes.length - skip.size * TS_PACKET_SIZE);
  let at = 0;
  for (let i = 0; i * TS_PACKET_SIZE < bytes.length; i++) {
    if (skip.has(i)) continue;
    out.set(bytes.subarray(i * TS_PACKET_SIZE, (i + 1) * TS_PACKET_SIZE), at);
    at += TS_PACKET_SIZE;
  }
  return out;
}
