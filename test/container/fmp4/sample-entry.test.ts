import { describe, expect, test } from "bun:test";
import { MediaError, ParseError } from "../../../src/core/errors.ts";
import type { AudioTrack, VideoTrack } from "../../../src/core/track.ts";
import { avc1, avcC } from "../../../src/container/fmp4/avc1.ts";
import { serialize } from "../../../src/container/fmp4/box.ts";
import { aacCodecString, avcCodecString, codecString, hevcCodecString } from "../../../src/container/fmp4/codec-string.ts";
import { hvcC } from "../../../src/container/fmp4/hvc1.ts";
import { sampleEntry } from "../../../src/container/fmp4/mp4-track.ts";
import { esds, mp4a } from "../../../src/container/fmp4/mp4a.ts";
import { removeEmulationPrevention } from "../../../src/codec/bit-reader.ts";
import { hex } from "../../codec/bit-writer.ts";
import { H264_SPS_CASES, H265_SPS_CASES } from "../../codec/cases.ts";

const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const head = (size: number, type: string): string => size.toString(16).padStart(8, "0") + Buffer.from(type).toString("hex");

/** The demo clip's parameter sets (x264 main 640x360), as ffmpeg put them in the TS. */
const MAIN_SPS = hex("674d401eeca05017fcb80880000003008000001907 8b16cb".replace(/ /g, ""));
const MAIN_PPS = hex("68efbc80");
const HIGH_SPS = hex(H264_SPS_CASES[0]!.hex); // high 1280x720
const HIGH_444_SPS = hex(H264_SPS_CASES[4]!.hex); // high 4:4:4 (244): not in the extension list
/** A VPS and PPS as x265 writes them; the SPS cases come from test/codec/cases.ts. */
const VPS = hex("40010c01ffff016000000300900000030000030078959809");
const HEVC_PPS = hex("4401c172b46240");
const ASC_LC_48K_STEREO = hex("1190");

describe("avcC (ISO 14496-15 5.3.3.1)", () => {
  test("main profile: no extension, byte-exact", () => {
    const body = ["01 4d 40 1e ff e1", "0018", toHex(MAIN_SPS), "01", "0004", toHex(MAIN_PPS)].join("").replace(/ /g, "");
    expect(toHex(serialize(avcC(MAIN_SPS, MAIN_PPS)))).toBe(head(8 + body.length / 2, "avcC") + body);
  });

  test("high profile: chroma format and bit depths follow the PPS", () => {
    const out = serialize(avcC(HIGH_SPS, MAIN_PPS));
    expect(toHex(out.subarray(out.length - 4))).toBe("fdf8f800"); // 4:2:0, 8-bit luma and chroma, no SPS extensions
    expect(out[9]).toBe(100);
  });

  test("profile 244 is not in the 14496-15 list: no extension", () => {
    const out = serialize(avcC(HIGH_444_SPS, MAIN_PPS));
    expect(out.length).toBe(8 + 6 + 2 + HIGH_444_SPS.length + 1 + 2 + MAIN_PPS.length);
  });

  test("refuses parameter sets of the wrong type", () => {
    expect(() => avcC(MAIN_PPS, MAIN_PPS)).toThrow(MediaError);
    expect(() => avcC(MAIN_SPS, MAIN_SPS)).toThrow(MediaError);
    expect(() => avcC(hex("6764"), MAIN_PPS)).toThrow(MediaError);
  });

  test("avc1 sample entry: VisualSampleEntry fields then avcC", () => {
    const out = serialize(avc1(640, 360, MAIN_SPS, MAIN_PPS));
    const avcCSize = serialize(avcC(MAIN_SPS, MAIN_PPS)).length;
    expect(toHex(out.subarray(0, 8))).toBe(head(86 + avcCSize, "avc1"));
    expect(toHex(out.subarray(8, 16))).toBe("0000000000000001"); // reserved, data_reference_index 1
    expect(toHex(out.subarray(32, 36))).toBe("02800168"); // 640 x 360
    expect(toHex(out.subarray(36, 44))).toBe("0048000000480000"); // 72 dpi
    expect(toHex(out.subarray(48, 50))).toBe("0001"); // frame_count
    expect(toHex(out.subarray(82, 86))).toBe("0018ffff"); // depth, pre_defined -1
    expect(Buffer.from(out.subarray(90, 94)).toString()).toBe("avcC");
  });
});

describe("hvcC (ISO 14496-15 8.3.3.1)", () => {
  for (const c of H265_SPS_CASES) {
    test(`${c.name}: header fields from the SPS, VPS/SPS/PPS arrays complete`, () => {
      const sps = hex(c.hex);
      const out = serialize(hvcC(VPS, sps, HEVC_PPS));
      const b = out.subarray(8);
      expect(b[0]).toBe(1);
      expect(b[1]! & 0x1f).toBe(c.profile);
      expect(b[12]).toBe(c.level);
      // general profile_tier_level: the RBSP bytes after the NAL header and the vps-id/sub-layers byte (H.265 7.3.3).
      expect(toHex(b.subarray(1, 13))).toBe(toHex(removeEmulationPrevention(sps).subarray(3, 15)));
      expect(b[13]! >> 4).toBe(0xf); // reserved bits around min_spatial_segmentation_idc
      expect(b[16]! & 3).toBe(c.profile === 4 ? 3 : 1); // chroma_format_idc: 4:4:4 for the rext cases
      expect(b[17]! & 7).toBe(c.profile === 2 ? 2 : 0); // Main 10 is 10-bit
      expect(b[21]! & 3).toBe(3); // 4-byte NAL lengths
      expect(b[22]).toBe(3); // numOfArrays
      let at = 23;
      for (const [type, nal] of [[32, VPS], [33, sps], [34, HEVC_PPS]] as const) {
        expect(b[at]).toBe(0x80 | type);
        expect((b[at + 1]! << 8) | b[at + 2]!).toBe(1);
        expect((b[at + 3]! << 8) | b[at + 4]!).toBe(nal.length);
        expect(toHex(b.subarray(at + 5, at + 5 + nal.length))).toBe(toHex(nal));
        at += 5 + nal.length;
      }
      expect(at).toBe(b.length);
    });
  }

  test("refuses a PPS given as SPS, and a garbage SPS with a ParseError", () => {
    expect(() => hvcC(VPS, HEVC_PPS, HEVC_PPS)).toThrow(MediaError);
    expect(() => hvcC(VPS, hex("4201ff"), HEVC_PPS)).toThrow(ParseError);
  });
});

describe("esds and mp4a (ISO 14496-1 7.2.6, 14496-14 5.6)", () => {
  test("esds byte-exact for AAC-LC 48 kHz stereo", () => {
    const body = [
      "00000000", // version, flags
      "03 19 0000 00", // ES_Descriptor: length 25, ES_ID 0, flags
      "04 11 40 15 000000 00000000 00000000", // DecoderConfigDescriptor: MPEG-4 audio, AudioStream
      "05 02 1190", // DecoderSpecificInfo: the AudioSpecificConfig
      "06 01 02", // SLConfigDescriptor predefined 2
    ].join("").replace(/ /g, "");
    expect(toHex(serialize(esds(ASC_LC_48K_STEREO)))).toBe(head(8 + body.length / 2, "esds") + body);
  });

  test("a config of 200 bytes takes two-byte descriptor lengths", () => {
    const out = serialize(esds(new Uint8Array(200).fill(7)));
    const b = out.subarray(12);
    // ES_Descriptor payload: 3 + DecoderConfigDescriptor (1 + 2 + 13 + (1 + 2 + 200)) + SLConfig 3 = 225 = 0x81 0x61.
    expect(toHex(b.subarray(0, 3))).toBe("038161");
    expect(out.length).toBe(12 + 3 + 3 + 3 + 13 + 3 + 200 + 3);
  });

  test("mp4a: channels, 16-bit, 16.16 sample rate, then esds", () => {
    const out = serialize(mp4a(2, 48000, ASC_LC_48K_STEREO));
    expect(toHex(out.subarray(0, 8))).toBe(head(36 + 39, "mp4a"));
    expect(toHex(out.subarray(8, 36))).toBe("000000000000" + "0001" + "0000000000000000" + "0002" + "0010" + "0000" + "0000" + "bb800000");
    expect(toHex(serialize(mp4a(2, 96000, ASC_LC_48K_STEREO)).subarray(32, 36))).toBe("00000000"); // does not fit 16.16
  });
});

describe("sample entry from a track", () => {
  const video: VideoTrack = { id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000, sps: MAIN_SPS, pps: MAIN_PPS };
  const audio: AudioTrack = { id: 1, version: 0, kind: "audio", codec: "aac", clockRate: 48000, sampleRate: 48000, channels: 2 };

  test("size from the SPS when the track has none; AAC config built when missing", () => {
    expect(toHex(serialize(sampleEntry(video)).subarray(32, 36))).toBe("02800168");
    expect(toHex(serialize(sampleEntry(audio)))).toBe(toHex(serialize(mp4a(2, 48000, ASC_LC_48K_STEREO))));
  });

  test("clear errors when something is missing or not carried", () => {
    expect(() => sampleEntry({ ...video, pps: undefined })).toThrow("parameter sets not known yet");
    expect(() => sampleEntry({ ...video, codec: "h265", sps: hex(H265_SPS_CASES[0]!.hex), pps: HEVC_PPS })).toThrow("parameter sets not known yet");
    expect(() => sampleEntry({ ...audio, codec: "opus" })).toThrow(MediaError);
    expect(() => sampleEntry({ ...audio, sampleRate: 0 })).toThrow("sample rate or channels unknown");
  });
});

describe("codec strings (RFC 6381, ISO 14496-15 E.3)", () => {
  test("avc1 from the SPS bytes", () => {
    expect(avcCodecString(MAIN_SPS)).toBe("avc1.4d401e");
    expect(avcCodecString(HIGH_SPS)).toBe("avc1.64001f");
  });

  test("hvc1 with reversed compatibility flags and trimmed constraint bytes", () => {
    expect(hevcCodecString(hex(H265_SPS_CASES[0]!.hex))).toBe("hvc1.1.6.L93.90");
    expect(hevcCodecString(hex(H265_SPS_CASES[3]!.hex))).toBe("hvc1.2.4.L63.90");
    expect(hevcCodecString(hex(H265_SPS_CASES[4]!.hex))).toBe("hvc1.4.10.L60.9E.8");
  });

  test("mp4a from the AudioSpecificConfig", () => {
    expect(aacCodecString(ASC_LC_48K_STEREO)).toBe("mp4a.40.2");
    expect(aacCodecString(hex("2b92"))).toBe("mp4a.40.5");
    expect(aacCodecString(undefined)).toBe("mp4a.40.2");
  });

  test("codecString needs an SPS and a carried codec", () => {
    expect(() => codecString({ id: 0, version: 0, kind: "video", codec: "h264", clockRate: 90000 })).toThrow(MediaError);
    expect(() => codecString({ id: 0, version: 0, kind: "audio", codec: "pcmu", clockRate: 8000, sampleRate: 8000, channels: 1 })).toThrow(MediaError);
  });
});
