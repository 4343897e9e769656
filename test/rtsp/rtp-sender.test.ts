import { describe, expect, test } from "bun:test";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import type { Track } from "../../src/core/track.ts";
import { copyFrame } from "../../src/rtp/depacketizer.ts";
import { H264Depacketizer } from "../../src/rtp/h264/decoder.ts";
import { parseRtpPacket } from "../../src/rtp/packet.ts";
import { RtspReader } from "../../src/rtsp/reader.ts";
import { RtpSender } from "../../src/rtsp/server/rtp-sender.ts";

const track: Track = { id: 0, version: 0, clockRate: 90000, kind: "video", codec: "h264" };
const nal = (type: number, size: number, seed: number) => Uint8Array.from({ length: size }, (_, i) => (i === 0 ? type : (i * 31 + seed) & 0xff));

describe("RtpSender.toInterleaved", () => {
  test("one buffer of interleaved frames that depacketize to the unit, with sequence numbers and marker as packet by packet", () => {
    const sender = new RtpSender(track, 96, 90000);
    const twin = new RtpSender(track, 96, 90000);
    const units: AccessUnit[] = [
      { track, pts: 9000, dts: 9000, key: true, units: [nal(0x67, 20, 1), nal(0x68, 6, 2), nal(0x65, 5000, 3)] },
      { track, pts: 12600, dts: 12600, key: false, units: [nal(0x41, 900, 4)] },
    ];
    const reader = new RtspReader();
    const depacketizer = new H264Depacketizer();
    const frames = [];
    const sequences: number[] = [];
    for (const au of units) {
      const bytes = sender.toInterleaved(au, 6);
      const items = reader.push(bytes);
      expect(items.every((i) => i.kind === "interleaved" && i.channel === 6)).toBe(true);
      const packets = items.map((i) => parseRtpPacket((i as { payload: Uint8Array }).payload));
      expect(packets.map((p) => p.marker)).toEqual(packets.map((_, k) => k === packets.length - 1));
      expect(new Set(packets.map((p) => p.timestamp)).size).toBe(1);
      expect(packets.every((p) => p.ssrc === sender.ssrc && p.payloadType === 96)).toBe(true);
      sequences.push(...packets.map((p) => p.sequence));
      for (const p of packets) frames.push(...depacketizer.push(p).map(copyFrame));
      // The same unit through toPackets carries the same payloads (the shared packetization).
      expect(twin.toPackets(au).map((b) => parseRtpPacket(b).payload)).toEqual(packets.map((p) => p.payload));
    }
    for (let k = 1; k < sequences.length; k++) expect(sequences[k]).toBe((sequences[k - 1]! + 1) & 0xffff);
    expect(sender.packets).toBe(sequences.length);
    expect(frames.slice(0, 2).map((f) => f.units.map((u) => u.length))).toEqual([[20, 6, 5000], [900]]);
    expect(frames[0]!.units[2]).toEqual(units[0]!.units[2]!);
  });
});
