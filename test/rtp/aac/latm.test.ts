import { describe, expect, test } from "bun:test";
import { ParseError } from "../../../src/core/errors.ts";
import { parseAudioSpecificConfig } from "../../../src/codec/aac/config.ts";
import { parseLatmConfig } from "../../../src/rtp/aac/latm-config.ts";
import { LatmDepacketizer } from "../../../src/rtp/aac/latm-decoder.ts";
import { rng } from "../../codec/bit-writer.ts";
import { type CasePacket, decodeAll, hex, numbered, unit } from "../helpers.ts";

const CONFIGS: { name: string; hex: string; asc: string; numSubFrames: number }[] = [
  { name: "ffmpeg AAC-LC 48 kHz stereo", hex: "400023203fc0", asc: "1190", numSubFrames: 0 },
  { name: "GStreamer AAC-LC 44.1 kHz mono", hex: "400024103fc0", asc: "1208", numSubFrames: 0 },
  { name: "two subframes per element", hex: "420023203fc0", asc: "1190", numSubFrames: 2 },
  // avenc_aac (ffmpeg's encoder) appends 0x2b7 + SBR + sbrPresentFlag 0; rtpmp4apay passes it on
  // and ends the StreamMuxConfig right after frameLengthType.
  { name: "GStreamer rtpmp4apay from avenc_aac: SBR sync extension", hex: "40002320adca00", asc: "119056e500", numSubFrames: 0 },
  { name: "sync extension: SBR 24 → 48 kHz and PS", hex: "40002620adcb3a911fe0", asc: "131056e59d4880", numSubFrames: 0 },
];

describe("parseLatmConfig", () => {
  for (const c of CONFIGS) {
    test(c.name, () => {
      const got = parseLatmConfig(c.hex);
      expect(got).toEqual({ config: hex(c.asc), numSubFrames: c.numSubFrames });
      expect(() => parseAudioSpecificConfig(got.config)).not.toThrow();
    });
  }

  test("unsupported or broken configs are ParseErrors", () => {
    expect(() => parseLatmConfig("c00023203fc0")).toThrow(/audioMuxVersion 1/);
    expect(() => parseLatmConfig("4000232")).toThrow(ParseError);
    expect(() => parseLatmConfig("40")).toThrow(ParseError);
    expect(() => parseLatmConfig("400023203fc0".replace("3fc0", "ffc0"))).toThrow(/frameLengthType/);
  });

  test("random configs: only ParseError", () => {
    const rand = rng(6416);
    for (let i = 0; i < 5000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => Math.floor(rand() * 256).toString(16).padStart(2, "0")).join("");
      try {
        parseLatmConfig(s);
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
      }
    }
  });
});

const frame = (size: number, seed = 0): Uint8Array => unit([0x21], size, seed);
const lengthInfo = (n: number): number[] => [...Array<number>(Math.floor(n / 255)).fill(255), n % 255];

describe("LatmDepacketizer", () => {
  test("one frame per packet, a frame of 255+ bytes, two elements in one packet", () => {
    const packets: CasePacket[] = numbered(0, [
      { ts: 0, marker: true, payload: Uint8Array.from([...lengthInfo(10), ...frame(10)]) },
      { ts: 1024, marker: true, payload: Uint8Array.from([...lengthInfo(300), ...frame(300, 1)]) },
      { ts: 2048, marker: true, payload: Uint8Array.from([...lengthInfo(255), ...frame(255, 2), ...lengthInfo(5), ...frame(5, 3)]) },
    ]);
    const frames = decodeAll(new LatmDepacketizer({ numSubFrames: 0 }), packets);
    expect(frames).toEqual([
      { ts: 0, key: true, units: [frame(10)] },
      { ts: 1024, key: true, units: [frame(300, 1)] },
      { ts: 2048, key: true, units: [frame(255, 2)] },
      { ts: 3072, key: true, units: [frame(5, 3)] },
    ]);
  });

  test("a fragmented element is joined at the marker; a loss drops it", () => {
    const whole = Uint8Array.from([...lengthInfo(40), ...frame(40)]);
    const parts = [whole.subarray(0, 15), whole.subarray(15, 30), whole.subarray(30)];
    const packets = numbered(0, parts.map((payload, i) => ({ ts: 0, marker: i === 2, payload })));
    expect(decodeAll(new LatmDepacketizer({ numSubFrames: 0 }), packets)).toEqual([{ ts: 0, key: true, units: [frame(40)] }]);
    const d = new LatmDepacketizer({ numSubFrames: 0 });
    const next = numbered(3, [{ ts: 1024, marker: true, payload: Uint8Array.from([...lengthInfo(4), ...frame(4)]) }]);
    expect(decodeAll(d, [packets[0]!, packets[2]!, ...next])).toEqual([{ ts: 1024, key: true, units: [frame(4)] }]);
    expect(d.stats).toMatchObject({ lost: 1, framesDropped: 1, malformed: 0 });
  });

  test("a length past the data is malformed", () => {
    const d = new LatmDepacketizer({ numSubFrames: 0 });
    expect(decodeAll(d, numbered(0, [{ ts: 0, marker: true, payload: Uint8Array.of(20, 1, 2) }]))).toEqual([]);
    expect(d.stats.malformed).toBe(1);
  });
});
