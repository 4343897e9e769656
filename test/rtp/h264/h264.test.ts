import { describe, expect, test } from "bun:test";
import { H264Depacketizer } from "../../../src/rtp/h264/decoder.ts";
import { H264Packetizer } from "../../../src/rtp/h264/encoder.ts";
import { rng } from "../../codec/bit-writer.ts";
import { type CaseFrame, decodeAll, encodeAll, unit } from "../helpers.ts";
import { H264_CASES } from "./cases.ts";

describe("H264Depacketizer: case table", () => {
  for (const c of H264_CASES) {
    test(c.name, () => {
      const d = new H264Depacketizer();
      expect(decodeAll(d, c.packets)).toEqual(c.frames);
      expect(d.stats.framesDropped).toBe(c.dropped ?? 0);
      expect(d.stats.lost).toBe(c.lost ?? 0);
      expect(d.stats.malformed).toBe(c.malformed ?? 0);
      expect(d.stats.packets).toBe(c.packets.length);
      expect(d.stats.framesOut).toBe(c.frames.length);
    });
  }
});

describe("H264Packetizer: case table", () => {
  for (const c of H264_CASES.filter((c) => c.encoded)) {
    test(c.name, () => {
      const enc = new H264Packetizer(c.mtu);
      expect(encodeAll((u, ts) => enc.packetize(u, ts), c.frames, c.packets[0]!.seq)).toEqual(c.packets);
    });
  }
});

describe("H.264 round trip", () => {
  test("random access units and MTUs: frames come back unchanged, payloads within the MTU", () => {
    const rand = rng(264);
    for (let round = 0; round < 200; round++) {
      const mtu = 3 + Math.floor(rand() * 1500);
      const frames: CaseFrame[] = [];
      for (let f = 0; f < 5; f++) {
        const units = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) =>
          unit([f === 0 && i === 0 ? 0x65 : 0x41], 2 + Math.floor(rand() * (rand() < 0.3 ? 5000 : 300)), round + i),
        );
        frames.push({ ts: (0xfffff000 + f * 3000) >>> 0, key: f === 0, units });
      }
      const enc = new H264Packetizer(mtu);
      const packets = encodeAll((u, ts) => enc.packetize(u, ts), frames, 65530);
      for (const p of packets) expect(p.payload.length).toBeLessThanOrEqual(mtu);
      const d = new H264Depacketizer();
      expect(decodeAll(d, packets)).toEqual(frames);
      expect(d.stats.framesDropped).toBe(0);
    }
  });

  test("packetizer refuses an MTU too small for a fragment", () => {
    expect(() => new H264Packetizer(2)).toThrow();
  });
});
