import { describe, expect, test } from "bun:test";
import { ADTS_HEADER_LENGTH, NEED_MORE, parseAdtsHeader, splitAdts, writeAdtsHeader } from "../../src/codec/aac/adts.ts";
import { buildAudioSpecificConfig, parseAudioSpecificConfig } from "../../src/codec/aac/config.ts";
import { ParseError } from "../../src/core/errors.ts";
import { hex, mutate, rng } from "./bit-writer.ts";

/** AudioSpecificConfig cases: bytes as ffmpeg's aac encoder and common cameras write them. */
const ASC_CASES = [
  { hex: "1190", objectType: 2, sampleRate: 48000, sampleRateIndex: 3, channels: 2 },
  { hex: "1210", objectType: 2, sampleRate: 44100, sampleRateIndex: 4, channels: 2 },
  { hex: "1408", objectType: 2, sampleRate: 16000, sampleRateIndex: 8, channels: 1 },
  { hex: "1588", objectType: 2, sampleRate: 8000, sampleRateIndex: 11, channels: 1 },
  { hex: "11b0", objectType: 2, sampleRate: 48000, sampleRateIndex: 3, channels: 6 },
  { hex: "178001f408", objectType: 2, sampleRate: 1000, sampleRateIndex: 15, channels: 1 },
];

describe("AudioSpecificConfig", () => {
  for (const c of ASC_CASES) {
    test(c.hex, () => {
      expect(parseAudioSpecificConfig(hex(c.hex))).toEqual({
        objectType: c.objectType,
        sampleRate: c.sampleRate,
        sampleRateIndex: c.sampleRateIndex,
        channels: c.channels,
      });
      expect(Buffer.from(buildAudioSpecificConfig(c)).toString("hex")).toBe(c.hex);
    });
  }
  test("escape object type and garbage", () => {
    expect(parseAudioSpecificConfig(hex("f8a640")).objectType).toBe(37);
    expect(() => parseAudioSpecificConfig(hex("00"))).toThrow(ParseError);
    expect(() => parseAudioSpecificConfig(hex("17"))).toThrow(ParseError);
  });
});

describe("ADTS", () => {
  for (const c of ASC_CASES.filter((c) => c.sampleRateIndex < 13)) {
    test(`header round trip ${c.hex}`, () => {
      const buf = new Uint8Array(ADTS_HEADER_LENGTH);
      const { hex: _, ...fields } = c;
      writeAdtsHeader(buf, 0, { ...fields, frameLength: 300 });
      expect(parseAdtsHeader(buf)).toMatchObject({ ...fields, frameLength: 300, headerLength: 7, rawBlocks: 1 });
    });
  }

  test("need more, invalid, split", () => {
    expect(parseAdtsHeader(hex("fff1"))).toBe(NEED_MORE);
    expect(() => parseAdtsHeader(hex("fff7508002001c"))).toThrow(ParseError); // layer 3
    const data = new Uint8Array(7 + 3 + 7 + 5 + 4);
    writeAdtsHeader(data, 0, { objectType: 2, sampleRateIndex: 3, channels: 2, frameLength: 10 });
    writeAdtsHeader(data, 10, { objectType: 2, sampleRateIndex: 3, channels: 2, frameLength: 12 });
    data.set([0xff, 0xf1, 0x4c], 22);
    const { frames, rest } = splitAdts(data);
    expect(frames.map((f) => f.data.length)).toEqual([3, 5]);
    expect(rest).toBe(22);
  });

  test("fuzz: only ParseError", () => {
    const rand = rng(5);
    const seed = new Uint8Array(40);
    writeAdtsHeader(seed, 0, { objectType: 2, sampleRateIndex: 3, channels: 2, frameLength: 20 });
    writeAdtsHeader(seed, 20, { objectType: 2, sampleRateIndex: 3, channels: 2, frameLength: 20 });
    for (let i = 0; i < 3000; i++) {
      try {
        splitAdts(mutate(seed, rand));
        parseAudioSpecificConfig(mutate(hex("1190"), rand));
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }
  });
});
