import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import { generateSessionDescription, type MediaInfo, parseFmtp, parseSessionDescription } from "../../src/rtsp/sdp.ts";
import { resolveControl } from "../../src/rtsp/url.ts";
import { AXIS, DAHUA, HIKVISION, HIKVISION_H265, QUIRKY, REOLINK } from "./sdp-cases.ts";

const brief = (m: MediaInfo) => [m.type, m.payloadType, m.codec, m.clockRate, m.channels, m.control];

describe("parseSessionDescription: cameras", () => {
  test("Hikvision H.264 + PCMA", () => {
    const s = parseSessionDescription(HIKVISION);
    expect(s.control).toBe("rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast");
    expect(s.media.map(brief)).toEqual([
      ["video", 96, "h264", 90000, undefined, "rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast"],
      ["audio", 8, "pcma", 8000, 1, "rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast"],
    ]);
    expect(s.media[0].fmtp).toEqual({
      "profile-level-id": "420029",
      "packetization-mode": "1",
      "sprop-parameter-sets": "Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==",
    });
    expect(s.skipped).toEqual([]);
  });

  test("Hikvision H.265 parameter sets", () => {
    const [v] = parseSessionDescription(HIKVISION_H265).media;
    expect(v.codec).toBe("h265");
    expect(Object.keys(v.fmtp)).toEqual(["profile-id", "sprop-sps", "sprop-pps", "sprop-vps"]);
    expect(v.fmtp["sprop-pps"]).toBe("RAHA8vA8kAA=");
  });

  test("Dahua: AAC, metadata track skipped, aggregate control", () => {
    const s = parseSessionDescription(DAHUA);
    expect(s.control).toBe("*");
    expect(s.media.map(brief)).toEqual([
      ["video", 96, "h264", 90000, undefined, "trackID=0"],
      ["audio", 97, "aac", 16000, 1, "trackID=1"],
    ]);
    expect(s.media[1].fmtp.config).toBe("1408");
    expect(s.skipped).toEqual([{ index: 2, reason: 'media type "application" is not audio or video' }]);
    const base = "rtsp://10.0.0.2:554/cam/realmonitor?channel=1&subtype=0/";
    expect(resolveControl(base, s.media[0].control)).toBe("rtsp://10.0.0.2:554/cam/realmonitor?channel=1&subtype=0/trackID=0");
  });

  test("Axis: mixed-case fmtp keys lower-cased, trailing semicolon", () => {
    const s = parseSessionDescription(AXIS);
    expect(s.media.map(brief)).toEqual([
      ["video", 96, "h264", 90000, undefined, "rtsp://192.168.0.90:554/axis-media/media.amp/stream=0?videocodec=h264"],
      ["audio", 97, "aac", 16000, 1, "rtsp://192.168.0.90:554/axis-media/media.amp/stream=1?videocodec=h264"],
    ]);
    expect(s.media[1].fmtp).toMatchObject({ sizelength: "13", indexlength: "3", indexdeltalength: "3", config: "1408", mode: "AAC-hbr" });
  });

  test("Reolink: bare LF, relative controls", () => {
    const s = parseSessionDescription(REOLINK);
    expect(s.media.map((m) => [m.codec, m.control])).toEqual([
      ["h264", "track1"],
      ["aac", "track2"],
    ]);
  });

  test("quirky DVR: static PCMU after an unknown type, HEVC, fmtp on the wrong number, LATM, text skipped", () => {
    const s = parseSessionDescription(QUIRKY);
    expect(s.media.map(brief)).toEqual([
      ["audio", 0, "pcmu", 8000, 1, "trackID=2"],
      ["video", 96, "h265", 90000, undefined, "trackID=1"],
      ["audio", 98, "aac-latm", 44100, 2, undefined],
      ["audio", 111, "opus", 48000, 2, undefined],
    ]);
    expect(s.media[1].fmtp["sprop-vps"]).toBe("QAEMAf//AWAAAAMAsAAAAwAAAwB7rAk=");
    expect(s.media[2].fmtp).toEqual({ cpresent: "0", config: "400024203fc0" });
    expect(s.skipped).toEqual([{ index: 4, reason: 'media type "text" is not audio or video' }]);
  });
});

describe("parseSessionDescription: edges", () => {
  test("garbage is a ParseError with a clear message", () => {
    expect(() => parseSessionDescription("<html><body>401 Unauthorized</body></html>")).toThrow(/not an SDP/);
    expect(() => parseSessionDescription("v=0\r\ns=x\r\n")).toThrow(ParseError);
    expect(() => parseSessionDescription("")).toThrow(/no type=value/);
  });

  test("every track unusable: empty media, reasons listed", () => {
    const s = parseSessionDescription("v=0\r\nm=video 0 RTP/AVP 26\r\nm=audio 0 RTP/AVP 97\r\nm=video 0 udp 33\r\n");
    expect(s.media).toEqual([]);
    expect(s.skipped).toEqual([
      { index: 0, reason: "Motion JPEG is not supported" },
      { index: 1, reason: "payload type 97 has no rtpmap" },
      { index: 2, reason: 'transport "udp" is not RTP' },
    ]);
  });

  test("AAC without a clock rate is skipped; H.264 without one defaults to 90000", () => {
    const s = parseSessionDescription("v=0\nm=audio 0 RTP/AVP 97\na=rtpmap:97 mpeg4-generic\nm=video 0 RTP/AVP 96\na=rtpmap:96 h264\n");
    expect(s.skipped[0].reason).toContain("clock rate");
    expect(s.media.map(brief)).toEqual([["video", 96, "h264", 90000, undefined, undefined]]);
  });

  test("parseFmtp: first key wins, bare keys, __proto__ is just a key", () => {
    const f = parseFmtp("A=1; a=2; flag; __proto__=x; ;b==c");
    expect(f).toEqual(Object.fromEntries([["a", "1"], ["flag", ""], ["__proto__", "x"], ["b", "=c"]]));
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
  });
});

describe("generateSessionDescription", () => {
  test("round trip through the parser", () => {
    const media = parseSessionDescription(QUIRKY).media;
    const text = generateSessionDescription({ media, sessionName: "cam1", sessionId: "42", control: "*" });
    expect(text.split("\r\n").slice(0, 6)).toEqual(["v=0", "o=- 42 1 IN IP4 0.0.0.0", "s=cam1", "c=IN IP4 0.0.0.0", "t=0 0", "a=control:*"]);
    expect(text).toContain("a=rtpmap:111 opus/48000/2\r\n");
    expect(text).toContain("a=rtpmap:0 PCMU/8000\r\n");
    const back = parseSessionDescription(text);
    expect(back.media).toEqual(media);
    expect(back.control).toBe("*");
    for (const cam of [HIKVISION, DAHUA, AXIS, REOLINK]) {
      const m = parseSessionDescription(cam).media;
      expect(parseSessionDescription(generateSessionDescription({ media: m })).media).toEqual(m);
    }
  });

  test("refuses line breaks", () => {
    expect(() => generateSessionDescription({ media: [], sessionName: "a\r\nm=x" })).toThrow();
  });
});
