import { describe, expect, test } from "bun:test";
import { ParseError } from "../../src/core/errors.ts";
import type { AudioTrack, Track, VideoTrack } from "../../src/core/track.ts";
import { parseWhepOffer } from "../../src/webrtc/offer.ts";
import { filterOffer } from "../../src/webrtc/offer-filter.ts";
import { planSession } from "../../src/webrtc/session-plan.ts";
import { audioSection, CHROMIUM_OFFER, h264Section, offer } from "./offers.ts";

/** A video track whose SPS starts with profile_idc `profile` (all fitCodec reads of it). */
function h264(profile: number, id = 0): VideoTrack {
  return { id, version: 0, kind: "video", codec: "h264", clockRate: 90000, sps: Uint8Array.of(0x67, profile, 0, 0x1f) };
}
function audio(codec: AudioTrack["codec"], sampleRate: number, channels: number, id = 1): AudioTrack {
  return { id, version: 0, kind: "audio", codec, clockRate: sampleRate, sampleRate, channels };
}

describe("parseWhepOffer", () => {
  test("Chromium's offer: two sections that receive, every payload format listed", () => {
    const o = parseWhepOffer(CHROMIUM_OFFER);
    expect(o.sections.map((s) => [s.index, s.kind, s.mid, s.receives])).toEqual([
      [0, "video", "0", true],
      [1, "audio", "1", true],
    ]);
    const h264s = o.sections[0]!.codecs.filter((c) => c.name === "H264").map((c) => [c.payloadType, c.fmtp["profile-level-id"], c.fmtp["packetization-mode"]]);
    expect(h264s).toContainEqual([116, "4d001f", "1"]);
    expect(o.sections[1]!.codecs.find((c) => c.name === "opus")).toMatchObject({ payloadType: 111, clockRate: 48000, channels: 2 });
    expect(o.iceUfrag.length).toBeGreaterThan(0);
  });

  const bad: [string, string, RegExp][] = [
    ["not SDP", "hello", /must start with "v=0"/],
    ["no media", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", /no audio or video m-section/],
    ["plain RTP", offer(h264Section(96, "packetization-mode=1")).replace("UDP/TLS/RTP/SAVPF", "RTP/AVP"), /not DTLS-SRTP/],
    ["no ICE credentials", offer(h264Section(96, "packetization-mode=1")).replace(/a=ice-ufrag:.*\r\n/, ""), /no ICE credentials/],
    ["no fingerprint", offer(h264Section(96, "packetization-mode=1")).replace(/a=fingerprint:.*\r\n/, ""), /no DTLS fingerprint/],
    ["no rtcp-mux", offer(h264Section(96, "packetization-mode=1")).replace("a=rtcp-mux\r\n", ""), /rtcp-mux/],
    ["payload type out of range", offer({ m: "m=video 9 UDP/TLS/RTP/SAVPF 300", lines: ["a=rtpmap:300 H264/90000"] }), /out of range/],
    ["unknown media type", offer({ m: "m=text 9 UDP/TLS/RTP/SAVPF 96", lines: [] }), /not audio, video or application/],
    [
      "two sections not bundled",
      offer(h264Section(96, "packetization-mode=1"), audioSection("111", ["a=rtpmap:111 opus/48000/2"])).replace(/a=group:BUNDLE.*\r\n/, ""),
      /not all in one a=group:BUNDLE/,
    ],
  ];
  for (const [name, sdp, message] of bad) {
    test(`refuses: ${name}`, () => {
      expect(() => parseWhepOffer(sdp)).toThrow(ParseError);
      expect(() => parseWhepOffer(sdp)).toThrow(message);
    });
  }
});

/** One row: stream tracks and an offer → what is sent (codec@payload type) and what is left out (codec: reason). */
interface PlanCase {
  name: string;
  tracks: Track[];
  sdp: string;
  send: string[];
  leftOut: [string, RegExp][];
  note?: RegExp;
}

const CASES: PlanCase[] = [
  { name: "Main H.264 to Chromium: its Main entry, packetization-mode 1", tracks: [h264(77)], sdp: CHROMIUM_OFFER, send: ["h264@116"], leftOut: [] },
  { name: "High H.264 to Chromium: High 4:4:4 Predictive contains High", tracks: [h264(100)], sdp: CHROMIUM_OFFER, send: ["h264@41"], leftOut: [] },
  { name: "Baseline H.264: the first Baseline entry with mode 1", tracks: [h264(66)], sdp: CHROMIUM_OFFER, send: ["h264@102"], leftOut: [] },
  {
    name: "AAC is left out with the reason, video still goes",
    tracks: [h264(77), audio("aac", 48000, 2)],
    sdp: CHROMIUM_OFFER,
    send: ["h264@116"],
    leftOut: [["aac", /AAC cannot be sent over WebRTC/]],
  },
  { name: "Opus passes through", tracks: [h264(77), audio("opus", 48000, 2)], sdp: CHROMIUM_OFFER, send: ["h264@116", "opus@111"], leftOut: [] },
  { name: "PCMU 8 kHz mono passes through", tracks: [audio("pcmu", 8000, 1, 0)], sdp: CHROMIUM_OFFER, send: ["pcmu@0"], leftOut: [] },
  { name: "PCMA 8 kHz mono passes through", tracks: [audio("pcma", 8000, 1, 0)], sdp: CHROMIUM_OFFER, send: ["pcma@8"], leftOut: [] },
  { name: "PCMA at 16 kHz is not WebRTC's G.711", tracks: [audio("pcma", 16000, 1, 0)], sdp: CHROMIUM_OFFER, send: [], leftOut: [["pcma", /8000 Hz, the stream has 16000 Hz/]] },
  { name: "6-channel Opus needs multiopus", tracks: [audio("opus", 48000, 6, 0)], sdp: CHROMIUM_OFFER, send: [], leftOut: [["opus", /multiopus/]] },
  {
    name: "H.265 not offered (Chromium without a hardware decoder)",
    tracks: [{ ...h264(1), codec: "h265" }],
    sdp: CHROMIUM_OFFER,
    send: [],
    leftOut: [["h265", /did not offer H265/]],
  },
  {
    name: "H.265 offered: sent",
    tracks: [{ ...h264(1), codec: "h265" }],
    sdp: offer({ m: "m=video 9 UDP/TLS/RTP/SAVPF 49", lines: ["a=recvonly", "a=rtpmap:49 H265/90000"] }),
    send: ["h265@49"],
    leftOut: [],
  },
  {
    name: "H.264 only in packetization-mode 0",
    tracks: [h264(66)],
    sdp: offer(h264Section(96, "packetization-mode=0;profile-level-id=42e01f")),
    send: [],
    leftOut: [["h264", /only with packetization-mode 0/]],
  },
  {
    name: "A profile the browser does not list goes out with a note",
    tracks: [h264(100)],
    sdp: offer(h264Section(96, "packetization-mode=1;profile-level-id=42e01f")),
    send: ["h264@96"],
    leftOut: [],
    note: /stream is H.264 High, the browser listed Baseline/,
  },
  {
    name: "A sendonly section cannot carry our video",
    tracks: [h264(77)],
    sdp: offer(h264Section(96, "packetization-mode=1", "sendonly")),
    send: [],
    leftOut: [["h264", /does not receive/]],
  },
  {
    name: "Two video tracks, one video section: the second is left out",
    tracks: [h264(77, 0), h264(77, 1)],
    sdp: CHROMIUM_OFFER,
    send: ["h264@116"],
    leftOut: [["h264", /no free video m-section/]],
  },
  {
    name: "Audio-only offer: video left out, PCMU sent in the audio section",
    tracks: [h264(77, 0), audio("pcmu", 8000, 1, 1)],
    sdp: offer(audioSection("0 8", [])),
    send: ["pcmu@0"],
    leftOut: [["h264", /no free video m-section/]],
  },
];

describe("planSession", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const plan = planSession(c.tracks, parseWhepOffer(c.sdp));
      expect(plan.send.map((p) => `${p.track.codec}@${p.codec.payloadType}`)).toEqual(c.send);
      expect(plan.leftOut.length).toBe(c.leftOut.length);
      c.leftOut.forEach(([codec, reason], i) => {
        expect(plan.leftOut[i]!.codec).toBe(codec);
        expect(plan.leftOut[i]!.reason).toMatch(reason);
      });
      if (c.note) expect(plan.send[0]!.note).toMatch(c.note);
      else for (const p of plan.send) expect(p.note).toBeUndefined();
    });
  }

  test("a track the caller rules out (B-frames) is left out whatever the offer", () => {
    const plan = planSession([h264(77)], parseWhepOffer(CHROMIUM_OFFER), () => "it has B-frames");
    expect(plan.send).toEqual([]);
    expect(plan.leftOut).toEqual([{ id: 0, codec: "h264", reason: "it has B-frames" }]);
  });
});

describe("filterOffer", () => {
  test("keeps only the chosen payload type in sections we send on, leaves the others alone", () => {
    const out = filterOffer(CHROMIUM_OFFER, new Map([[0, 116]]));
    const video = out.slice(out.indexOf("m=video"), out.indexOf("m=audio"));
    expect(video.split("\r\n")[0]).toBe("m=video 9 UDP/TLS/RTP/SAVPF 116");
    expect(video).toContain("a=rtpmap:116 H264/90000");
    expect(video).toContain("a=fmtp:116 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=4d001f");
    expect(video).toContain("a=rtcp-fb:116 nack pli");
    expect(video).not.toMatch(/a=(rtpmap|fmtp|rtcp-fb):(?!116 )/);
    expect(video).toContain("a=ice-ufrag:");
    const audioPart = out.slice(out.indexOf("m=audio"));
    expect(audioPart).toBe(CHROMIUM_OFFER.slice(CHROMIUM_OFFER.indexOf("m=audio")));
    // Still a valid offer for the parser.
    expect(parseWhepOffer(out).sections[0]!.codecs.map((c) => c.payloadType)).toEqual([116]);
  });

  test("drops mDNS host candidates, keeps IP ones", () => {
    const sdp = offer(h264Section(96, "packetization-mode=1")).replace(
      "a=rtcp-mux\r\n",
      "a=rtcp-mux\r\na=candidate:1 1 udp 2122260223 6f1c3c4e-1f6a-4a1b-9f0e-3e0f1a2b3c4d.local 54321 typ host\r\na=candidate:2 1 udp 2122260223 127.0.0.1 54322 typ host\r\n",
    );
    const out = filterOffer(sdp, new Map());
    expect(out).not.toContain(".local");
    expect(out).toContain("127.0.0.1 54322 typ host");
  });
});
