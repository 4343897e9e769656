import { describe, expect, test } from "bun:test";
import {
  DEFAULT_SESSION_TIMEOUT_S,
  formatPublic,
  formatRtpInfo,
  formatSession,
  formatTransport,
  parsePublic,
  parseRtpInfo,
  parseSession,
  parseTransport,
  type Transport,
} from "../../src/rtsp/headers.ts";

describe("Transport (RFC 2326 12.39)", () => {
  test("camera answers", () => {
    // Hikvision over UDP.
    expect(parseTransport("RTP/AVP;unicast;client_port=5000-5001;server_port=8218-8219;ssrc=2b4e5ad1;mode=\"play\"")).toEqual([
      { profile: "RTP/AVP", lowerTransport: "UDP", delivery: "unicast", clientPort: [5000, 5001], serverPort: [8218, 8219], ssrc: 0x2b4e5ad1, mode: "PLAY" },
    ]);
    // Dahua over TCP, odd spacing and a short ssrc.
    expect(parseTransport(" RTP/AVP/TCP; unicast; interleaved=0-1; ssrc=7A1C ")).toEqual([
      { profile: "RTP/AVP", lowerTransport: "TCP", delivery: "unicast", interleaved: [0, 1], ssrc: 0x7a1c },
    ]);
    // Multicast.
    expect(parseTransport("RTP/AVP;multicast;destination=239.1.1.1;source=10.0.0.2;port=5004-5005;ttl=16")[0]).toEqual({
      profile: "RTP/AVP",
      lowerTransport: "UDP",
      delivery: "multicast",
      destination: "239.1.1.1",
      source: "10.0.0.2",
      port: [5004, 5005],
      ttl: 16,
    });
  });

  test("publisher requests: mode in any case and quoting, several alternatives", () => {
    const list = parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1;mode=RECORD, RTP/AVP/UDP;unicast;client_port=6000-6001;mode="record",RTP/AVP;mode=Record');
    expect(list.map((t) => [t.lowerTransport, t.mode])).toEqual([
      ["TCP", "RECORD"],
      ["UDP", "RECORD"],
      ["UDP", "RECORD"],
    ]);
  });

  test("single ports and channels imply the next one; bad values ignored; junk alternatives dropped", () => {
    expect(parseTransport("RTP/AVP/TCP;interleaved=4")[0].interleaved).toEqual([4, 5]);
    expect(parseTransport("RTP/AVP;client_port=7000")[0].clientPort).toEqual([7000, 7001]);
    expect(parseTransport("RTP/AVP;client_port=70000-70001;ssrc=zz;ttl=-1")[0]).toEqual({ profile: "RTP/AVP", lowerTransport: "UDP" });
    expect(parseTransport("")).toEqual([]);
    expect(parseTransport("MP2T/H2221/UDP;unicast,x-real-rdt/udp,RTP/AVP/SCTP,RTP/SAVP;unicast")).toEqual([{ profile: "RTP/SAVP", lowerTransport: "UDP", delivery: "unicast" }]);
  });

  test("format round trip", () => {
    const ts: Transport[] = [
      { profile: "RTP/AVP", lowerTransport: "TCP", delivery: "unicast", interleaved: [2, 3], mode: "RECORD" },
      { profile: "RTP/AVP", lowerTransport: "UDP", delivery: "unicast", clientPort: [5000, 5001], serverPort: [6000, 6001], ssrc: 0xdeadbeef },
    ];
    const text = formatTransport(ts);
    expect(text).toBe("RTP/AVP/TCP;unicast;interleaved=2-3;mode=record,RTP/AVP;unicast;client_port=5000-5001;server_port=6000-6001;ssrc=DEADBEEF");
    expect(parseTransport(text)).toEqual(ts);
    expect(formatTransport(ts[0])).toBe("RTP/AVP/TCP;unicast;interleaved=2-3;mode=record");
  });
});

describe("Session (RFC 2326 12.37)", () => {
  test.each([
    ["12345678", { id: "12345678", timeout: DEFAULT_SESSION_TIMEOUT_S }],
    ["12345678;timeout=30", { id: "12345678", timeout: 30 }],
    ["  A7Bc9 ; Timeout = 120 ", { id: "A7Bc9", timeout: 120 }],
    ["66334873;timeout=0", { id: "66334873", timeout: DEFAULT_SESSION_TIMEOUT_S }],
    ["66334873;timeout=abc", { id: "66334873", timeout: DEFAULT_SESSION_TIMEOUT_S }],
    ['"quoted-id";timeout="65"', { id: "quoted-id", timeout: 65 }],
    ["", undefined],
    [";timeout=60", undefined],
  ] as const)("%p", (value, expected) => {
    expect(parseSession(value)).toEqual(expected);
  });

  test("format", () => {
    expect(formatSession({ id: "abc", timeout: 60 })).toBe("abc");
    expect(formatSession({ id: "abc", timeout: 30 })).toBe("abc;timeout=30");
  });
});

describe("RTP-Info (RFC 2326 12.33)", () => {
  test("several streams, spaces, missing fields, URLs with ; and ,", () => {
    const v = "url=rtsp://cam/live/trackID=1;seq=45102;rtptime=12345678, url=rtsp://cam/live/trackID=2;seq=30211,url=rtsp://cam/x;jsessionid=1,2/track3;rtptime=4294967295";
    expect(parseRtpInfo(v)).toEqual([
      { url: "rtsp://cam/live/trackID=1", seq: 45102, rtptime: 12345678 },
      { url: "rtsp://cam/live/trackID=2", seq: 30211 },
      { url: "rtsp://cam/x;jsessionid=1,2/track3", rtptime: 4294967295 },
    ]);
    expect(parseRtpInfo('url="rtsp://cam/a";seq=1;rtptime=2;ssrc=ABCD')).toEqual([{ url: "rtsp://cam/a", seq: 1, rtptime: 2 }]);
    expect(parseRtpInfo("seq=1;rtptime=2")).toEqual([]);
    expect(parseRtpInfo("url=trackID=0;seq=70000")).toEqual([{ url: "trackID=0" }]);
  });

  test("format round trip", () => {
    const e = [{ url: "rtsp://s/p/trackID=0", seq: 1, rtptime: 2 }, { url: "rtsp://s/p/trackID=1" }];
    expect(parseRtpInfo(formatRtpInfo(e))).toEqual(e);
  });
});

describe("Public", () => {
  test("methods upper-cased and deduplicated", () => {
    expect(parsePublic("OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER")).toContain("GET_PARAMETER");
    expect(parsePublic(" options,describe ,, Play PLAY")).toEqual(["OPTIONS", "DESCRIBE", "PLAY"]);
    expect(parsePublic("")).toEqual([]);
    expect(formatPublic(["OPTIONS", "DESCRIBE"])).toBe("OPTIONS, DESCRIBE");
  });
});
