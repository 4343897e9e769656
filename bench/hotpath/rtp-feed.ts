// An RTSP-over-TCP camera's byte stream for bench/hotpath: the access units of
// an MPEG-TS clip re-packetized with our RTP encoders (H.264 RFC 6184 with a
// 1400-byte packet like GStreamer's rtph264pay, AAC RFC 3640 AAC-hbr, one
// AU per packet) and framed `$`, channel, length (RFC 2326 10.12), in
// timestamp order. Built before the measurement starts.
import { TsAccessUnitReader } from "../../src/container/mpegts/access-unit-reader.ts";
import type { AccessUnit } from "../../src/core/access-unit.ts";
import type { AudioTrack, VideoTrack } from "../../src/core/track.ts";
import { AacPacketizer } from "../../src/rtp/aac/encoder.ts";
import { H264Packetizer } from "../../src/rtp/h264/encoder.ts";
import { RTP_HEADER_SIZE, writeRtpPacket } from "../../src/rtp/packet.ts";
import { interleavedFrame } from "../../src/rtsp/interleaved.ts";

/** rtph264pay's default mtu (1400) is the whole RTP packet. */
const GST_MTU = 1400;
const VIDEO_PT = 96;
const AUDIO_PT = 97;

export interface RtpFeed {
  readonly sdp: string;
  /** Interleaved frames in send order: channel 0 video RTP, channel 2 audio RTP. */
  readonly frames: Uint8Array[];
  /** Media time of each frame, seconds from the first. */
  readonly times: Float64Array;
  readonly bytes: number;
}

const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

export function buildRtpFeed(ts: Uint8Array): RtpFeed {
  const reader = new TsAccessUnitReader();
  const units: AccessUnit[] = [];
  for (let i = 0; i < ts.length; i += 1316 * 64) units.push(...reader.push(ts.subarray(i, i + 1316 * 64)));
  units.push(...reader.flush());
  const video = units.find((u) => u.track.kind === "video")?.track as VideoTrack | undefined;
  const audio = units.find((u) => u.track.kind === "audio")?.track as AudioTrack | undefined;
  if (!video?.sps || !video.pps || !audio?.config) throw new Error("clip needs H.264 with SPS/PPS and AAC");
  const h264 = new H264Packetizer(GST_MTU - RTP_HEADER_SIZE);
  const aac = new AacPacketizer(GST_MTU - RTP_HEADER_SIZE);
  // Cameras start at random sequence numbers and timestamps (RFC 3550 5.1).
  const seq = [4711, 29000];
  const base = [123456789, 987654];
  const ssrc = [0x11223344, 0x55667788];
  const out: { t: number; frame: Uint8Array }[] = [];
  for (const au of units) {
    const isVideo = au.track.kind === "video";
    const k = isVideo ? 0 : 1;
    const ts32 = (base[k]! + au.pts) >>> 0;
    const payloads = isVideo ? h264.packetize(au.units, ts32) : aac.packetize(au.units, ts32);
    for (const p of payloads) {
      const rtp = writeRtpPacket({ marker: p.marker, payloadType: isVideo ? VIDEO_PT : AUDIO_PT, sequence: seq[k]!++ & 0xffff, timestamp: p.timestamp, ssrc: ssrc[k]!, payload: p.payload });
      out.push({ t: au.pts / au.track.clockRate, frame: interleavedFrame(2 * k, rtp) });
    }
  }
  // Stable sort: packets of one unit stay in order.
  out.sort((a, b) => a.t - b.t);
  const t0 = out[0]!.t;
  const sdp = [
    "v=0",
    "o=- 1 1 IN IP4 127.0.0.1",
    "s=hotpath",
    "t=0 0",
    "a=control:*",
    "m=video 0 RTP/AVP 96",
    "a=rtpmap:96 H264/90000",
    `a=fmtp:96 packetization-mode=1;profile-level-id=${hex(video.sps.subarray(1, 4))};sprop-parameter-sets=${b64(video.sps)},${b64(video.pps)}`,
    "a=control:stream=0",
    "m=audio 0 RTP/AVP 97",
    `a=rtpmap:97 MPEG4-GENERIC/${audio.sampleRate}/${audio.channels}`,
    `a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=${hex(audio.config)};sizelength=13;indexlength=3;indexdeltalength=3`,
    "a=control:stream=1",
    "",
  ].join("\r\n");
  let bytes = 0;
  for (const o of out) bytes += o.frame.length;
  return { sdp, frames: out.map((o) => o.frame), times: Float64Array.from(out, (o) => o.t - t0), bytes };
}
