import type { AccessUnit } from "../../../src/core/access-unit.ts";
import type { AudioTrack, VideoTrack } from "../../../src/core/track.ts";
import type { TsPacketSink } from "../../../src/container/mpegts/muxer.ts";
import { buildAudioSpecificConfig } from "../../../src/codec/aac/config.ts";
import { hex } from "../../codec/bit-writer.ts";
import { H264_SPS_CASES } from "../../codec/cases.ts";

/** Collects packets into one growing buffer, as a segment writer would. */
export class CollectSink implements TsPacketSink {
  private buf = new Uint8Array(188 * 64);
  count = 0;

  buffer = this.buf;
  offset = 0;

  /** Hands out at most 3 packets at a time, so runs that cross reservations are exercised too. */
  reserve(max: number): number {
    const n = Math.min(max, 3);
    if ((this.count + n) * 188 > this.buf.length) {
      const grown = new Uint8Array(this.buf.length * 2);
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buffer = this.buf;
    this.offset = this.count * 188;
    this.count += n;
    this.buf.fill(0xaa, this.offset, this.count * 188); // stale bytes the muxer must overwrite
    return n;
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.count * 188);
  }
}

export const SPS = hex(H264_SPS_CASES[0]!.hex); // 1280x720
export const PPS = hex("68ebe3cb22c0");

export const videoTrack: VideoTrack = { id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000, sps: SPS, pps: PPS, width: 1280, height: 720 };
export const audioTrack: AudioTrack = {
  id: 1, version: 0, kind: "audio", codec: "aac", clockRate: 48000, sampleRate: 48000, channels: 2,
  config: buildAudioSpecificConfig({ objectType: 2, sampleRate: 48000, channels: 2 }),
};

/** A NAL unit of `type` with `size` bytes that contain no start-code-like patterns. */
export function nal(header: number, size: number, seed: number): Uint8Array {
  const u = new Uint8Array(size);
  u[0] = header;
  for (let i = 1; i < size; i++) u[i] = 1 + ((i * 31 + seed * 7) % 255);
  return u;
}

export function videoAu(i: number, pts: number, dts: number, size = 3000): AccessUnit {
  const key = i % 25 === 0;
  return { track: videoTrack, pts, dts, key, units: [nal(key ? 0x65 : 0x41, size + (i % 7) * 100, i)] };
}

export function audioAu(i: number, pts: number): AccessUnit {
  return { track: audioTrack, pts, dts: pts, key: true, units: [nal(0x21, 200 + (i % 5), i)] };
}

export function toHex(u: Uint8Array): string {
  return Buffer.from(u).toString("hex");
}
