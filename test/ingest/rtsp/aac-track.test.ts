import { describe, expect, test } from "bun:test";
import type { AudioTrack } from "../../../src/core/track.ts";
import { MediaTrack } from "../../../src/ingest/rtsp/media-track.ts";
import { parseSessionDescription, type SdpCodec } from "../../../src/rtsp/sdp.ts";
import { hex } from "../../rtp/helpers.ts";

const VIDEO = ["m=video 0 RTP/AVP 96", "a=rtpmap:96 H264/90000", "a=control:trackID=0"];

/** A camera's SDP: H.264 video, then the given audio m-line and attributes. */
const sdp = (...audio: string[]) => ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=cam", "t=0 0", ...VIDEO, ...audio, "a=control:trackID=1"].join("\r\n") + "\r\n";

/** SDP audio section → the AAC track it must give (RFC 6416 MP4A-LATM and RFC 3640 mpeg4-generic). */
const USABLE: { name: string; audio: string[]; codec: SdpCodec; clockRate: number; sampleRate: number; channels: number; asc: string }[] = [
  {
    name: "GStreamer rtpmp4apay (avenc_aac), 48 kHz stereo, no channels in the rtpmap, SBR sync extension",
    audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000", "a=fmtp:97 cpresent=0;config=40002320adca00"],
    codec: "aac-latm", clockRate: 48000, sampleRate: 48000, channels: 2, asc: "119056e500",
  },
  {
    name: "ffmpeg's RTP muxer, AAC-LC 48 kHz stereo",
    audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000/2", "a=fmtp:97 profile-level-id=1;cpresent=0;config=400023203fc0"],
    codec: "aac-latm", clockRate: 48000, sampleRate: 48000, channels: 2, asc: "1190",
  },
  {
    name: "44.1 kHz mono, channels left out of the rtpmap",
    audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/44100", "a=fmtp:97 profile-level-id=15;object=2;cpresent=0;config=400024103fc0"],
    codec: "aac-latm", clockRate: 44100, sampleRate: 44100, channels: 1, asc: "1208",
  },
  {
    name: "config= without cpresent, mixed-case keys and upper-case hex (read as out of band, as ffmpeg does)",
    audio: ["m=audio 0 RTP/AVP 98", "a=rtpmap:98 mp4a-latm/48000/2", "a=fmtp:98 Object=2; Config=400023203FC0"],
    codec: "aac-latm", clockRate: 48000, sampleRate: 48000, channels: 2, asc: "1190",
  },
  {
    name: "a broken LATM payload type, then a usable mpeg4-generic one on the same m-line",
    audio: ["m=audio 0 RTP/AVP 98 97", "a=rtpmap:98 MP4A-LATM/48000", "a=fmtp:98 cpresent=1", "a=rtpmap:97 MPEG4-GENERIC/16000", "a=fmtp:97 mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408"],
    codec: "aac", clockRate: 16000, sampleRate: 16000, channels: 1, asc: "1408",
  },
];

/** SDP audio sections we cannot decode: skipped with the reason, the video track still used. */
const SKIPPED: { name: string; audio: string[]; reason: RegExp }[] = [
  { name: "in-band StreamMuxConfig", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000/2", "a=fmtp:97 cpresent=1"], reason: /cpresent=1 .* not supported/ },
  { name: "no config", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000/2", "a=fmtp:97 cpresent=0"], reason: /no config=/ },
  { name: "no fmtp at all", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000/2"], reason: /no config=/ },
  { name: "config not hex", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000", "a=fmtp:97 cpresent=0;config=40002g203fc0"], reason: /is not hex/ },
  { name: "config truncated", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000", "a=fmtp:97 cpresent=0;config=4000"], reason: /truncated/ },
  { name: "audioMuxVersion 1", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000", "a=fmtp:97 cpresent=0;config=c00023203fc0"], reason: /audioMuxVersion 1/ },
  { name: "reserved sampling index in the AudioSpecificConfig", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/48000", "a=fmtp:97 cpresent=0;config=40002d203fc0"], reason: /reserved sampling index/ },
  { name: "90 kHz clock for 48 kHz audio", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM/90000/2", "a=fmtp:97 cpresent=0;config=400023203fc0"], reason: /clock rate 90000 differs from the sampling rate 48000/ },
  { name: "no rate in the rtpmap (RFC 6416 default 90000)", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MP4A-LATM", "a=fmtp:97 cpresent=0;config=400023203fc0"], reason: /clock rate 90000/ },
  { name: "mpeg4-generic without sizeLength", audio: ["m=audio 0 RTP/AVP 97", "a=rtpmap:97 MPEG4-GENERIC/16000", "a=fmtp:97 config=1408"], reason: /sizeLength is missing/ },
];

describe("AAC tracks from a camera's SDP", () => {
  for (const c of USABLE) {
    test(c.name, () => {
      const s = parseSessionDescription(sdp(...c.audio));
      expect(s.skipped).toEqual([]);
      expect(s.media.map((m) => m.codec)).toEqual(["h264", c.codec]);
      const track = new MediaTrack(s.media[1]!, 1, 0, 0).track as AudioTrack;
      expect(track).toMatchObject({ kind: "audio", codec: "aac", clockRate: c.clockRate, sampleRate: c.sampleRate, channels: c.channels });
      expect(track.config).toEqual(hex(c.asc));
    });
  }

  for (const c of SKIPPED) {
    test(`skipped with a reason: ${c.name}`, () => {
      const s = parseSessionDescription(sdp(...c.audio));
      expect(s.media.map((m) => m.codec)).toEqual(["h264"]);
      expect(s.skipped).toHaveLength(1);
      expect(s.skipped[0]!.index).toBe(1);
      expect(s.skipped[0]!.reason).toMatch(c.reason);
      expect(new MediaTrack(s.media[0]!, 0, 0, 0).track.codec).toBe("h264");
    });
  }

  test("an MP4A-LATM track turns packets into AAC access units on its sample clock", () => {
    const s = parseSessionDescription(sdp(...USABLE[0]!.audio));
    const t = new MediaTrack(s.media[1]!, 1, 10, 0);
    const frame = (n: number, fill: number) => new Uint8Array(n).fill(fill);
    // Two AudioMuxElements in one packet (PayloadLengthInfo then the frame), then a 300-byte frame (length 255 + 45).
    const first = t.push({ marker: true, payloadType: 97, sequence: 7, timestamp: 5000, ssrc: 1, payload: Uint8Array.from([4, ...frame(4, 1), 3, ...frame(3, 2)]) });
    const second = t.push({ marker: true, payloadType: 97, sequence: 8, timestamp: 7048, ssrc: 1, payload: Uint8Array.from([255, 45, ...frame(300, 3)]) });
    expect([...first, ...second].map((u) => [u.pts, u.units])).toEqual([
      [10 * 48000, [frame(4, 1)]],
      [10 * 48000 + 1024, [frame(3, 2)]],
      [10 * 48000 + 2048, [frame(300, 3)]],
    ]);
    expect(first[0]!.track).toBe(t.track);
    expect(t.depacketizer.stats).toMatchObject({ packets: 2, framesOut: 3, lost: 0 });
  });
});
