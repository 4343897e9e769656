import { describe, expect, test } from "bun:test";
import { box, container, fullBox, serialize } from "../../../src/container/fmp4/box.ts";
import { ByteWriter } from "../../../src/container/fmp4/byte-writer.ts";
import { ftyp } from "../../../src/container/fmp4/ftyp.ts";
import { dinf, emptyTable, smhd, stbl, stsd, stsz, vmhd } from "../../../src/container/fmp4/minf.ts";
import { mdat, mfhd, tfdt, tfhd } from "../../../src/container/fmp4/moof.ts";
import { mvhd, trex } from "../../../src/container/fmp4/moov.ts";
import { SAMPLE_FLAGS_NON_SYNC, SAMPLE_FLAGS_SYNC, isSyncSample } from "../../../src/container/fmp4/sample-flags.ts";
import { hdlr, mdhd, tkhd } from "../../../src/container/fmp4/trak.ts";
import { trun } from "../../../src/container/fmp4/trun.ts";
import { hex } from "../../codec/bit-writer.ts";

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const bytesOf = (...parts: string[]): string => parts.join("").replace(/\s+/g, "");
/** Header: 32-bit size and the type in ASCII. */
const head = (size: number, type: string): string => size.toString(16).padStart(8, "0") + Buffer.from(type).toString("hex");
const UNITY = "00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000";

describe("ByteWriter", () => {
  test("big-endian fields", () => {
    const w = new ByteWriter(new Uint8Array(26));
    w.u8(0xab);
    w.u16(0x1234);
    w.u24(0xabcdef);
    w.u32(0xfedcba98);
    w.i32(-2);
    w.u64(2 ** 40 + 5);
    w.fourcc("moof");
    expect(toHex(w.out)).toBe("ab1234abcdeffedcba98fffffffe0000010000000005" + "6d6f6f66");
    expect(w.offset).toBe(26);
  });

  test("refuses to write past the end and out-of-range 64-bit values", () => {
    expect(() => new ByteWriter(new Uint8Array(3)).u32(1)).toThrow();
    expect(() => new ByteWriter(new Uint8Array(3)).bytes(new Uint8Array(4))).toThrow(RangeError);
    expect(() => new ByteWriter(new Uint8Array(8)).u64(-1)).toThrow(RangeError);
    expect(() => new ByteWriter(new Uint8Array(8)).u64(2 ** 53)).toThrow(RangeError);
    expect(() => new ByteWriter(new Uint8Array(4)).fourcc("abc")).toThrow(RangeError);
  });

  test("writes into a view at its own offset", () => {
    const backing = new Uint8Array(8).fill(0xee);
    const w = new ByteWriter(backing.subarray(2, 6));
    w.u32(0x01020304);
    expect(toHex(backing)).toBe("eeee01020304eeee");
  });
});

describe("box and full box", () => {
  test("header, body and children in order", () => {
    const child = box("abcd", 2, (w) => w.u16(0x0102));
    const parent = fullBox("wxyz", 1, 0x000203, 1, (w) => w.u8(9), [child]);
    expect(parent.size).toBe(8 + 4 + 1 + 10);
    expect(toHex(serialize(parent))).toBe(bytesOf(head(23, "wxyz"), "01000203", "09", head(10, "abcd"), "0102"));
  });

  test("a container is a header and its children", () => {
    expect(toHex(serialize(container("moov", [container("trak", [])])))).toBe(head(16, "moov") + head(8, "trak"));
  });

  test("a body that writes other than it declared is caught", () => {
    expect(() => serialize(box("bad!", 4, (w) => w.u16(1)))).toThrow("wrote 10 bytes, declared 12");
  });

  test("serialize writes several boxes back to back", () => {
    expect(toHex(serialize(box("aaaa", 0, undefined), box("bbbb", 0, undefined)))).toBe(head(8, "aaaa") + head(8, "bbbb"));
  });
});

describe("init segment boxes, byte-exact", () => {
  test("ftyp", () => {
    expect(toHex(serialize(ftyp()))).toBe(bytesOf(head(28, "ftyp"), Buffer.from("iso5").toString("hex"), "00000000", Buffer.from("iso5iso6mp41").toString("hex")));
  });

  test("mvhd", () => {
    expect(toHex(serialize(mvhd(3)))).toBe(
      bytesOf(head(108, "mvhd"), "00000000", "00000000 00000000 000003e8 00000000", "00010000 0100", "0000 0000000000000000", UNITY, "00".repeat(24), "00000003"),
    );
  });

  test("tkhd video and audio", () => {
    const common = "00000007 00000000 00000000 00000002 00000000 00000000 0000000000000000 0000 0000";
    expect(toHex(serialize(tkhd(2, "vide", 640, 360)))).toBe(bytesOf(head(92, "tkhd"), common, "0000 0000", UNITY, "02800000 01680000"));
    expect(toHex(serialize(tkhd(2, "soun")))).toBe(bytesOf(head(92, "tkhd"), common, "0100 0000", UNITY, "00000000 00000000"));
  });

  test("mdhd with timescale and language und", () => {
    expect(toHex(serialize(mdhd(48000)))).toBe(bytesOf(head(32, "mdhd"), "00000000", "00000000 00000000 0000bb80 00000000 55c4 0000"));
  });

  test("hdlr", () => {
    const name = Buffer.from("VideoHandler\0").toString("hex");
    expect(toHex(serialize(hdlr("vide")))).toBe(bytesOf(head(45, "hdlr"), "00000000", "00000000", Buffer.from("vide").toString("hex"), "00".repeat(12), name));
  });

  test("vmhd, smhd", () => {
    expect(toHex(serialize(vmhd()))).toBe(bytesOf(head(20, "vmhd"), "00000001", "0000 000000000000"));
    expect(toHex(serialize(smhd()))).toBe(bytesOf(head(16, "smhd"), "00000000", "0000 0000"));
  });

  test("dinf with one self-contained url entry", () => {
    expect(toHex(serialize(dinf()))).toBe(bytesOf(head(36, "dinf"), head(28, "dref"), "00000000 00000001", head(12, "url "), "00000001"));
  });

  test("stbl: stsd with the entry, then empty stts, stsc, stsz, stco", () => {
    const entry = box("test", 0, undefined);
    expect(toHex(serialize(stsd(entry)))).toBe(bytesOf(head(24, "stsd"), "00000000 00000001", head(8, "test")));
    expect(toHex(serialize(emptyTable("stts")))).toBe(bytesOf(head(16, "stts"), "00000000 00000000"));
    expect(toHex(serialize(stsz()))).toBe(bytesOf(head(20, "stsz"), "00000000 00000000 00000000"));
    const table = serialize(stbl(entry));
    expect(toHex(table)).toBe(bytesOf(head(8 + 24 + 16 + 16 + 20 + 16, "stbl"), toHex(serialize(stsd(entry))), toHex(serialize(emptyTable("stts"))), toHex(serialize(emptyTable("stsc"))), toHex(serialize(stsz())), toHex(serialize(emptyTable("stco")))));
  });

  test("trex", () => {
    expect(toHex(serialize(trex(1, SAMPLE_FLAGS_NON_SYNC)))).toBe(bytesOf(head(32, "trex"), "00000000", "00000001 00000001 00000000 00000000 01010000"));
  });
});

describe("fragment boxes, byte-exact", () => {
  test("mfhd, tfhd (default-base-is-moof), tfdt version 1 past 32 bits", () => {
    expect(toHex(serialize(mfhd(7)))).toBe(bytesOf(head(16, "mfhd"), "00000000 00000007"));
    expect(toHex(serialize(tfhd(2)))).toBe(bytesOf(head(16, "tfhd"), "00020000 00000002"));
    expect(toHex(serialize(tfdt(2 ** 33 + 1)))).toBe(bytesOf(head(20, "tfdt"), "01000000 0000000200000001"));
  });

  test("trun version 1 with flags and negative composition offsets", () => {
    const samples = [
      { duration: 3000, size: 100, flags: SAMPLE_FLAGS_SYNC, compositionOffset: 6000 },
      { duration: 3000, size: 20, flags: SAMPLE_FLAGS_NON_SYNC, compositionOffset: -3000 },
    ];
    expect(toHex(serialize(trun(samples, 0x68, { flags: true, compositionOffsets: true })))).toBe(
      bytesOf(head(52, "trun"), "01000f01", "00000002 00000068", "00000bb8 00000064 02000000 00001770", "00000bb8 00000014 01010000 fffff448"),
    );
  });

  test("trun for audio: durations and sizes only", () => {
    const samples = [{ duration: 1024, size: 300, flags: SAMPLE_FLAGS_SYNC, compositionOffset: 0 }];
    expect(toHex(serialize(trun(samples, 8, { flags: false, compositionOffsets: false })))).toBe(bytesOf(head(28, "trun"), "01000301", "00000001 00000008", "00000400 0000012c"));
  });

  test("trun refuses an offset that does not fit 32 bits", () => {
    expect(() => trun([{ duration: 1, size: 1, flags: 0, compositionOffset: 2 ** 31 }], 0, { flags: false, compositionOffsets: true })).toThrow(RangeError);
  });

  test("mdat", () => {
    expect(toHex(serialize(mdat(3, (w) => w.bytes(hex("aabbcc")))))).toBe(head(11, "mdat") + "aabbcc");
  });

  test("sample flags", () => {
    expect(isSyncSample(SAMPLE_FLAGS_SYNC)).toBe(true);
    expect(isSyncSample(SAMPLE_FLAGS_NON_SYNC)).toBe(false);
  });
});
