import { describe, expect, test } from "bun:test";
import { indexOfStartCode, skipScanStartCode, splitAnnexB, useStartCodeSearch } from "../../src/codec/annexb.ts";
import { startCodeSearchBun } from "../../src/runtime/start-code-bun.ts";
import { compareStartCodeSearch } from "../runtime/fixtures/start-code-compare.ts";
import { BitReader, removeEmulationPrevention } from "../../src/codec/bit-reader.ts";
import { ParseError } from "../../src/core/errors.ts";
import { BitWriter, hex, mutate, rng } from "./bit-writer.ts";

describe("splitAnnexB", () => {
  test("3- and 4-byte start codes, garbage, trailing zeros", () => {
    const data = hex("aabb" + "00000001" + "6742" + "000001" + "68ce" + "00000001" + "65888400" + "0000");
    const units = splitAnnexB(data);
    expect(units.map((u) => Buffer.from(u).toString("hex"))).toEqual(["6742", "68ce", "658884"]);
    expect(units[0]!.buffer).toBe(data.buffer); // views, not copies
  });

  test("no start code, empty units", () => {
    expect(splitAnnexB(hex("6742aa"))).toEqual([]);
    expect(splitAnnexB(new Uint8Array(0))).toEqual([]);
    expect(splitAnnexB(hex("000001000001000000016501"))).toHaveLength(1);
  });

  test("fuzz: never throws", () => {
    const rand = rng(1);
    for (let i = 0; i < 2000; i++) {
      const d = new Uint8Array(Math.floor(rand() * 64)).map(() => (rand() < 0.5 ? 0 : Math.floor(rand() * 4)));
      for (const u of splitAnnexB(d)) expect(u.length).toBeGreaterThan(0);
    }
  });
});

describe("start code search", () => {
  test("Bun's Buffer.indexOf finds exactly what the indexOf scan finds", () => {
    expect(compareStartCodeSearch(startCodeSearchBun)).toEqual([]);
  });

  test("the skip scan (the default, Deno's) finds exactly what the indexOf scan finds", () => {
    expect(compareStartCodeSearch(skipScanStartCode)).toEqual([]);
  });

  test("the skip scan finds every start code of a long buffer, across the skips", () => {
    const rand = rng(3);
    // Coded-data-like bytes (few zeros) with 3- and 4-byte start codes planted at random places.
    const data = new Uint8Array(20_000).map(() => (rand() < 0.02 ? 0 : Math.floor(rand() * 256)));
    for (let at = 0; at < data.length - 4; at += 1 + Math.floor(rand() * 300)) data.set(rand() < 0.5 ? [0, 0, 1] : [0, 0, 0, 1], at);
    const want: number[] = [];
    const got: number[] = [];
    for (let at = indexOfStartCode(data, 0); at >= 0; at = indexOfStartCode(data, at + 1)) want.push(at);
    for (let at = skipScanStartCode(data, 0); at >= 0; at = skipScanStartCode(data, at + 1)) got.push(at);
    expect(want.length).toBeGreaterThan(50);
    expect(got).toEqual(want);
  });

  test("splitAnnexB splits alike with a runtime's search put in", () => {
    const data = hex("aabb" + "00000001" + "6742" + "000001" + "68ce" + "00000001" + "65888400" + "0000");
    try {
      useStartCodeSearch(startCodeSearchBun);
      expect(splitAnnexB(data).map((u) => Buffer.from(u).toString("hex"))).toEqual(["6742", "68ce", "658884"]);
    } finally {
      useStartCodeSearch(skipScanStartCode);
    }
  });
});

describe("BitReader", () => {
  test("u, ue, se round trip", () => {
    const w = new BitWriter().u(5, 3).ue(0).ue(1).ue(254).se(-3).se(7).u(0xdeadbeef, 32);
    const r = new BitReader(w.bytes());
    expect([r.u(3), r.ue(), r.ue(), r.ue(), r.se(), r.se(), r.u(32)]).toEqual([5, 0, 1, 254, -3, 7, 0xdeadbeef]);
  });

  test("overrun and overlong codes throw ParseError", () => {
    expect(() => new BitReader(hex("ff")).u(9)).toThrow(ParseError);
    expect(() => new BitReader(new Uint8Array(8)).ue()).toThrow(ParseError);
  });

  test("removeEmulationPrevention copies only when needed", () => {
    const plain = hex("67640000aa");
    expect(removeEmulationPrevention(plain)).toBe(plain);
    const ep = hex("000003010000030000030003");
    expect(Buffer.from(removeEmulationPrevention(ep)).toString("hex")).toBe("000001000000000003");
  });

  test("fuzz: only ParseError", () => {
    const rand = rng(2);
    for (let i = 0; i < 2000; i++) {
      const d = mutate(hex("0000030100000300"), rand);
      removeEmulationPrevention(d);
      const r = new BitReader(d);
      try {
        for (;;) r.se();
      } catch (e) {
        expect(e).toBeInstanceOf(ParseError);
      }
    }
  });
});
