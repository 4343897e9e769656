import { describe, expect, test } from "bun:test";
import { parseH264Sps } from "../../src/codec/h264/sps.ts";
import { parseH265Sps } from "../../src/codec/h265/sps.ts";
import { H264_NAL, h264NalType, isH264Keyframe } from "../../src/codec/h264/nal.ts";
import { H265_NAL, h265NalType, isH265Keyframe } from "../../src/codec/h265/nal.ts";
import { ParseError } from "../../src/core/errors.ts";
import { addEmulationPrevention, BitWriter, hex, mutate, rng } from "./bit-writer.ts";
import { H264_SPS_CASES, H265_SPS_CASES } from "./cases.ts";

describe("H.264 SPS", () => {
  for (const c of H264_SPS_CASES) {
    test(c.name, () => {
      const sps = parseH264Sps(hex(c.hex));
      expect([sps.width, sps.height, sps.profileIdc, sps.levelIdc]).toEqual([c.width, c.height, c.profile, c.level]);
    });
  }

  test("reorder depth and frame rate from the VUI (x264 defaults: 3 B-frames in a pyramid, 25 fps)", () => {
    for (const c of H264_SPS_CASES) {
      const sps = parseH264Sps(hex(c.hex));
      // Baseline has no B-frames: POC type 2, nothing to reorder.
      expect([sps.pocType, sps.reorderFrames, sps.frameRate]).toEqual(c.profile === 66 ? [2, 0, 25] : [0, 2, 25]);
    }
  });

  test("a VUI cut short keeps what was read", () => {
    const full = hex(H264_SPS_CASES[0]!.hex);
    const sps = parseH264Sps(full.subarray(0, full.length - 3));
    expect([sps.width, sps.frameRate, sps.reorderFrames]).toEqual([1280, 25, undefined]);
  });

  test("synthetic: scaling lists, poc type 1, field coding, crop", () => {
    const w = new BitWriter().u(H264_NAL.SPS | 0x60, 8).u(100, 8).u(0, 8).u(40, 8).ue(0);
    w.ue(1).ue(0).ue(0).u(0, 1).u(1, 1); // 4:2:0, 8 bit, scaling matrix present
    w.u(1, 1);
    for (let j = 0; j < 16; j++) w.se(j % 2 ? 3 : -2); // list 0 explicit
    w.u(1, 1).se(-8); // list 1: use default
    for (let i = 2; i < 8; i++) w.u(0, 1);
    w.ue(0).ue(1).u(0, 1).se(-1).se(2).ue(2).se(1).se(-1); // poc type 1, cycle of 2
    w.ue(4).u(0, 1).ue(119).ue(33).u(0, 1).u(1, 1).u(1, 1); // 120x34 MBs, field pairs
    w.u(1, 1).ue(0).ue(0).ue(0).ue(2).u(0, 1); // crop bottom 2 * 4 lines, no VUI
    const sps = parseH264Sps(addEmulationPrevention(w.bytes()));
    expect([sps.width, sps.height, sps.frameMbsOnly]).toEqual([1920, 1080, false]);
  });

  test("garbage throws ParseError", () => {
    expect(() => parseH264Sps(hex("6801"))).toThrow(ParseError);
    expect(() => parseH264Sps(hex("67640000ffffffff"))).toThrow(ParseError);
  });
});

describe("H.265 SPS", () => {
  for (const c of H265_SPS_CASES) {
    test(c.name, () => {
      const sps = parseH265Sps(hex(c.hex));
      expect([sps.width, sps.height, sps.generalProfileIdc, sps.generalLevelIdc]).toEqual([c.width, c.height, c.profile, c.level]);
      expect(sps.reorderPictures).toBe(2); // x265 defaults: 4 B-frames, b-pyramid
    });
  }

  test("synthetic: three sub-layers with sub-layer profile and level", () => {
    const w = new BitWriter().u(H265_NAL.SPS << 1, 8).u(1, 8);
    w.u(0, 4).u(2, 3).u(1, 1); // vps id, max_sub_layers_minus1 = 2, nesting
    w.u(0, 2).u(1, 1).u(2, 5).u(0x20000000, 32).u(0x9000, 16).u(0, 32).u(150, 8); // Main10, high tier, L5
    w.u(1, 1).u(0, 1).u(0, 1).u(1, 1); // layer 0 profile, layer 1 level
    for (let i = 2; i < 8; i++) w.u(0, 2);
    w.u(0, 8).u(0, 32).u(0, 32).u(0, 16); // sub-layer 0 profile (88 bits)
    w.u(120, 8); // sub-layer 1 level
    w.ue(0).ue(1).ue(1920).ue(1088).u(1, 1).ue(0).ue(0).ue(0).ue(4).ue(2).ue(2);
    w.ue(4).u(1, 1).ue(1).ue(0).ue(0).ue(2).ue(1).ue(0).ue(4).ue(3).ue(0); // ordering info per sub-layer
    const sps = parseH265Sps(addEmulationPrevention(w.bytes()));
    expect(sps).toMatchObject({ width: 1920, height: 1080, maxSubLayers: 3, generalTierFlag: 1, generalLevelIdc: 150, bitDepthLuma: 10, reorderPictures: 3 });
  });

  test("garbage throws ParseError", () => {
    expect(() => parseH265Sps(hex("4001"))).toThrow(ParseError);
    expect(() => parseH265Sps(hex("4201ffffffff"))).toThrow(ParseError);
  });
});

describe("NAL types", () => {
  test("keyframes", () => {
    expect(h264NalType(hex("65"))).toBe(H264_NAL.IDR);
    expect(isH264Keyframe([hex("09f0"), hex("6588")])).toBe(true);
    expect(isH264Keyframe([hex("419a")])).toBe(false);
    expect(h265NalType(hex("4001"))).toBe(H265_NAL.VPS);
    expect(isH265Keyframe([hex("2601")])).toBe(true); // IDR_W_RADL
    expect(isH265Keyframe([hex("2a01")])).toBe(true); // CRA
    expect(isH265Keyframe([hex("0201")])).toBe(false);
  });
});

describe("SPS fuzz", () => {
  const run = (parse: (n: Uint8Array) => unknown, seeds: readonly Uint8Array[], seed: number) => {
    const rand = rng(seed);
    for (let i = 0; i < 3000; i++) {
      const input =
        i % 4 === 0
          ? new Uint8Array(Math.floor(rand() * 40)).map(() => Math.floor(rand() * 256))
          : mutate(seeds[i % seeds.length]!, rand);
      try {
        parse(input);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }
  };
  test("H.264: only ParseError", () => run(parseH264Sps, H264_SPS_CASES.map((c) => hex(c.hex)), 3));
  test("H.265: only ParseError", () => run(parseH265Sps, H265_SPS_CASES.map((c) => hex(c.hex)), 4));
});
