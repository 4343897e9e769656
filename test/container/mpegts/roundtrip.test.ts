import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../../src/core/access-unit.ts";
import { TsAccessUnitReader } from "../../../src/container/mpegts/access-unit-reader.ts";
import { TsMuxer } from "../../../src/container/mpegts/muxer.ts";
import { parseTsPacket } from "../../../src/container/mpegts/packet.ts";
import { parsePesHeader } from "../../../src/container/mpegts/pes.ts";
import { withParameters } from "../../../src/core/track.ts";
import { hex } from "../../codec/bit-writer.ts";
import { H264_SPS_CASES } from "../../codec/cases.ts";
import { audioAu, audioTrack, CollectSink, PPS, SPS, toHex, videoAu, videoTrack } from "./helpers.ts";

function mux(aus: readonly AccessUnit[], tracks = [videoTrack, audioTrack]): Uint8Array {
  const sink = new CollectSink();
  const m = new TsMuxer(sink, tracks);
  for (const au of aus) m.writeAccessUnit(au);
  return sink.bytes();
}

function demux(bytes: Uint8Array): { aus: AccessUnit[]; reader: TsAccessUnitReader } {
  const reader = new TsAccessUnitReader();
  return { aus: [...reader.push(bytes), ...reader.flush()], reader };
}

/** Video with B-frames (decode order I P B B, pts ≠ dts) interleaved with audio. */
function stream(start90k: number, frames: number): AccessUnit[] {
  const aus: AccessUnit[] = [];
  const audioStart = Math.round((start90k * 48000) / 90000);
  let a = 0;
  for (let i = 0; i < frames; i++) {
    const dts = start90k + i * 3600;
    const reorder = i % 3 === 0 ? 0 : i % 3 === 1 ? 2 : -1;
    aus.push(videoAu(i, dts + 7200 + reorder * 3600, dts));
    while ((audioStart + a * 1024) * 90000 < (dts + 3600) * 48000) aus.push(audioAu(a, audioStart + 1024 * a++));
  }
  return aus;
}

describe("TsMuxer → TsAccessUnitReader", () => {
  test("units, timestamps, keys, parameters survive", () => {
    const input = stream(900000, 60);
    const { aus, reader } = demux(mux(input));
    expect(reader.demuxer.stats.ccErrors).toBe(0);
    const [v, a] = reader.tracks;
    expect(v).toMatchObject({ kind: "video", codec: "h264", width: 1280, height: 720 });
    expect(toHex(v!.kind === "video" ? v!.sps! : new Uint8Array())).toBe(toHex(SPS));
    expect(a).toMatchObject({ kind: "audio", codec: "aac", sampleRate: 48000, channels: 2, clockRate: 48000 });
    const videoIn = input.filter((u) => u.track.kind === "video");
    const videoOut = aus.filter((u) => u.track.kind === "video");
    const audioIn = input.filter((u) => u.track.kind === "audio");
    const audioOut = aus.filter((u) => u.track.kind === "audio");
    expect(videoOut.length).toBe(videoIn.length);
    expect(audioOut.length).toBe(audioIn.length);
    videoOut.forEach((au, i) => {
      const src = videoIn[i]!;
      expect([au.pts, au.dts, au.key]).toEqual([src.pts, src.dts, src.key]);
      // Keyframes come back with SPS and PPS in front (the muxer added them).
      const units = au.units.map(toHex);
      expect(units.at(-1)).toBe(toHex(src.units[0]!));
      if (src.key) expect(units.slice(0, 2)).toEqual([toHex(SPS), toHex(PPS)]);
    });
    audioOut.forEach((au, i) => {
      expect(au.pts).toBe(audioIn[i]!.pts);
      expect(toHex(au.units[0]!)).toBe(toHex(audioIn[i]!.units[0]!));
    });
  });

  test("33-bit wrap: timestamps come back monotonic", () => {
    const start = 2 ** 33 - 90000; // wraps after one second
    const { aus } = demux(mux(stream(start, 75)));
    const dts = aus.filter((u) => u.track.kind === "video").map((u) => u.dts);
    expect(dts.length).toBe(75);
    dts.forEach((d, i) => expect(d).toBe(start + i * 3600));
    const audio = aus.filter((u) => u.track.kind === "audio").map((u) => u.pts);
    for (let i = 1; i < audio.length; i++) expect(audio[i]! - audio[i - 1]!).toBe(1024);
    expect(audio.at(-1)!).toBeGreaterThan((2 ** 33 * 48000) / 90000);
  });

  test("changed SPS makes a new track version", () => {
    const sps2 = hex(H264_SPS_CASES[1]!.hex); // 1920x1080
    const input = stream(0, 50).filter((u) => u.track.kind === "video");
    const changed = withParameters(videoTrack, { sps: sps2, width: 1920, height: 1080 });
    const second = input.slice(25).map((u) => ({ ...u, track: changed }));
    const { aus, reader } = demux(mux([...input.slice(0, 25), ...second], [videoTrack]));
    expect(aus[0]!.track.kind === "video" && aus[0]!.track.width).toBe(1280);
    const last = aus.at(-1)!.track;
    expect(last.version).toBe(aus[0]!.track.version + 1);
    expect(last.kind === "video" && [last.width, last.height]).toEqual([1920, 1080]);
    expect(reader.tracks[0]).toBe(last);
  });

  test("continuity counters, PCR ≤ DTS, random access, stuffing", () => {
    const bytes = mux(stream(0, 100));
    const cc = new Map<number, number>();
    let pcrs = 0;
    let keys = 0;
    for (let off = 0; off < bytes.length; off += 188) {
      const raw = bytes.subarray(off, off + 188);
      const p = parseTsPacket(raw);
      if (p.hasPayload) {
        const last = cc.get(p.pid);
        if (last !== undefined) expect(p.continuityCounter).toBe((last + 1) & 15);
        cc.set(p.pid, p.continuityCounter);
      }
      if (p.pid === 0x100 && p.payloadUnitStart) {
        expect(p.pcr).toBeDefined();
        const h = parsePesHeader(p.payload);
        expect(p.pcr!).toBeLessThanOrEqual(h.dts ?? h.pts!);
        pcrs++;
        if (p.randomAccess) keys++;
      }
    }
    expect(pcrs).toBe(100);
    expect(keys).toBe(4);
    expect([...cc.keys()].sort()).toEqual([0, 0x100, 0x101, 0x1000]);
  });

  test("tracks of other codecs are ignored", () => {
    const opus = { id: 2, version: 0, kind: "audio" as const, codec: "opus" as const, clockRate: 48000, sampleRate: 48000, channels: 2 };
    const sink = new CollectSink();
    const m = new TsMuxer(sink, [videoTrack, opus]);
    expect(m.writeAccessUnit({ track: opus, pts: 0, dts: 0, key: true, units: [new Uint8Array(10)] })).toBe(false);
    expect(m.writeAccessUnit(videoAu(0, 0, 0))).toBe(true);
  });
});
