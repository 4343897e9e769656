import { describe, expect, test } from "bun:test";
import { ParseError } from "../../../src/core/errors.ts";
import { H265Depacketizer } from "../../../src/rtp/h265/decoder.ts";
import { H265Packetizer } from "../../../src/rtp/h265/encoder.ts";
import { rng } from "../../codec/bit-writer.ts";
import { type CaseFrame, decodeAll, encodeAll, unit } from "../helpers.ts";
import { H265_CASES } from "./cases.ts";

describe("H265Depacketizer: case table", () => {
  for (const c of H265_CASES) {
    test(c.name, () => {
      const d = new H265Depacketizer();
      expect(decodeAll(d, c.packets)).toEqual(c.frames);
      expect(d.stats.framesDropped).toBe(c.dropped ?? 0);
      expect(d.stats.lost).toBe(c.lost ?? 0);
      expect(d.stats.malformed).toBe(c.malformed ?? 0);
    });
  }

  test("sprop-max-don-diff above 0 is refused with a clear error", () => {
    expect(() => new H265Depacketizer({ spropMaxDonDiff: 2 })).toThrow(ParseError);
    expect(() => new H265Depacketizer({ spropMaxDonDiff: 2 })).toThrow(/sprop-max-don-diff=2/);
    expect(() => new H265Depacketizer({ spropMaxDonDiff: 0 })).not.toThrow();
  });
});

describe("H265Packetizer: case table", () => {
  for (const c of H265_CASES.filter((c) => c.encoded)) {
    test(c.name, () => {
      const enc = new H265Packetizer(c.mtu);
      expect(encodeAll((u, ts) => enc.packetize(u, ts), c.frames, c.packets[0]!.seq)).toEqual(c.packets);
    });
  }

  test("AP header takes the lowest TID and LayerId (4.4.2)", () => {
    const a = Uint8Array.of(0x02, 0x03, 1, 2); // TRAIL_R, tid 3
    const b = Uint8Array.of(0x02, 0x0a, 3, 4); // TRAIL_R, layer 1, tid 2
    const [p] = new H265Packetizer().packetize([a, b], 0);
    expect([p!.payload[0], p!.payload[1]]).toEqual([0x60, 0x02]);
  });
});

describe("H.265 round trip", () => {
  test("random access units and MTUs", () => {
    const rand = rng(265);
    for (let round = 0; round < 200; round++) {
      const mtu = 4 + Math.floor(rand() * 1500);
      const frames: CaseFrame[] = [];
      for (let f = 0; f < 4; f++) {
        const units = Array.from({ length: 1 + Math.floor(rand() * 6) }, (_, i) =>
          unit(f === 0 && i === 0 ? [0x26, 0x01] : [0x02, 0x01], 3 + Math.floor(rand() * (rand() < 0.3 ? 5000 : 300)), round + i),
        );
        frames.push({ ts: f * 3000, key: f === 0, units });
      }
      const enc = new H265Packetizer(mtu);
      const packets = encodeAll((u, ts) => enc.packetize(u, ts), frames, 65000);
      for (const p of packets) expect(p.payload.length).toBeLessThanOrEqual(mtu);
      expect(decodeAll(new H265Depacketizer(), packets)).toEqual(frames);
    }
  });
});
