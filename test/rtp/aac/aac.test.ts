import { describe, expect, test } from "bun:test";
import { ParseError } from "../../../src/core/errors.ts";
import { AacDepacketizer } from "../../../src/rtp/aac/decoder.ts";
import { AacPacketizer } from "../../../src/rtp/aac/encoder.ts";
import { parseMpeg4GenericFmtp } from "../../../src/rtp/aac/fmtp.ts";
import { rng } from "../../codec/bit-writer.ts";
import { type CaseFrame, type CasePacket, decodeAll, unit } from "../helpers.ts";
import { AAC_CASES } from "./cases.ts";

const HBR = { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 };

function encode(mtu: number, frames: readonly CaseFrame[], firstSeq: number): CasePacket[] {
  const packets = new AacPacketizer(mtu).packetize(frames.map((f) => f.units[0]!), frames[0]!.ts);
  return packets.map((p, i) => ({ seq: (firstSeq + i) & 0xffff, ts: p.timestamp, marker: p.marker, payload: p.payload }));
}

describe("AacDepacketizer: case table", () => {
  for (const c of AAC_CASES) {
    test(c.name, () => {
      const d = new AacDepacketizer(HBR);
      expect(decodeAll(d, c.packets)).toEqual(c.frames);
      expect(d.stats.framesDropped).toBe(c.dropped ?? 0);
      expect(d.stats.lost).toBe(c.lost ?? 0);
      expect(d.stats.malformed).toBe(c.malformed ?? 0);
    });
  }

  test("other layouts: AAC-lbr (sizeLength 6, index 2)", () => {
    const d = new AacDepacketizer({ sizeLength: 6, indexLength: 2, indexDeltaLength: 2 });
    // Two 8-bit headers: size 3 / index 0, size 2 / delta 0.
    const frames = d.push({ marker: true, payloadType: 97, sequence: 1, timestamp: 100, ssrc: 1, payload: Uint8Array.of(0, 16, 3 << 2, 2 << 2, 1, 2, 3, 4, 5) });
    expect(frames.map((f) => [f.timestamp, [...f.units[0]!]])).toEqual([[100, [1, 2, 3]], [1124, [4, 5]]]);
  });

  test("a layout with no size field is refused", () => {
    expect(() => new AacDepacketizer({ sizeLength: 0, indexLength: 0, indexDeltaLength: 0 })).toThrow(ParseError);
  });
});

describe("AacPacketizer: case table", () => {
  for (const c of AAC_CASES.filter((c) => c.encoded)) {
    test(c.name, () => {
      expect(encode(c.mtu, c.frames, c.packets[0]!.seq)).toEqual(c.packets);
    });
  }

  test("an AU beyond 13 bits of size is refused", () => {
    expect(() => new AacPacketizer().packetize([new Uint8Array(8192)], 0)).toThrow(ParseError);
  });
});

describe("AAC round trip", () => {
  test("random frames and MTUs", () => {
    const rand = rng(3640);
    for (let round = 0; round < 200; round++) {
      const mtu = 5 + Math.floor(rand() * 1500);
      const ts = Math.floor(rand() * 2 ** 32);
      const frames: CaseFrame[] = Array.from({ length: 1 + Math.floor(rand() * 8) }, (_, i) => ({
        ts: (ts + i * 1024) >>> 0,
        key: true,
        units: [unit([0x21], 1 + Math.floor(rand() * (rand() < 0.2 ? 3000 : 400)), round + i)],
      }));
      const packets = encode(mtu, frames, 65530);
      for (const p of packets) expect(p.payload.length).toBeLessThanOrEqual(mtu);
      expect(decodeAll(new AacDepacketizer(HBR), packets)).toEqual(frames);
    }
  });
});

describe("parseMpeg4GenericFmtp", () => {
  test("a camera's fmtp, keys in any case", () => {
    const f = parseMpeg4GenericFmtp({ "profile-level-id": "1", Mode: "AAC-hbr", SizeLength: "13", INDEXLENGTH: "3", indexDeltaLength: "3", config: "1210" });
    expect(f).toEqual({ sizeLength: 13, indexLength: 3, indexDeltaLength: 3, config: Uint8Array.of(0x12, 0x10), mode: "AAC-hbr" });
  });

  test("defaults: index lengths 0, mode AAC-hbr", () => {
    const f = parseMpeg4GenericFmtp({ sizelength: "13", config: "1190" });
    expect([f.indexLength, f.indexDeltaLength, f.mode]).toEqual([0, 0, "AAC-hbr"]);
  });

  test("missing or bad pieces are ParseErrors", () => {
    expect(() => parseMpeg4GenericFmtp({ config: "1210" })).toThrow(/sizeLength/);
    expect(() => parseMpeg4GenericFmtp({ sizelength: "13" })).toThrow(/config/);
    expect(() => parseMpeg4GenericFmtp({ sizelength: "13", config: "12g0" })).toThrow(ParseError);
    expect(() => parseMpeg4GenericFmtp({ sizelength: "x", config: "1210" })).toThrow(ParseError);
  });
});
