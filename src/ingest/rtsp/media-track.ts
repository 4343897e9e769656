import type { AccessUnit } from "../../core/access-unit.ts";
import { bytesEqual } from "../../core/bytes.ts";
import { CopyWriter, type UnitWriter, writeUnits } from "../../core/unit-writer.ts";
import { type AudioTrack, type Track, type VideoCodec, type VideoTrack, withParameters } from "../../core/track.ts";
import { h264NalType } from "../../codec/h264/nal.ts";
import { h265NalType } from "../../codec/h265/nal.ts";
import { DecodeTimestamps } from "../../codec/decode-timestamps.ts";
import { findParameterSets, type ParameterSets, spsDimensions, spsTiming } from "../../codec/parameter-sets.ts";
import { AacDepacketizer } from "../../rtp/aac/decoder.ts";
import { LatmDepacketizer } from "../../rtp/aac/latm-decoder.ts";
import { readAacPayload } from "../../rtp/aac/payload-config.ts";
import type { DepacketizedFrame, Depacketizer } from "../../rtp/depacketizer.ts";
import { H264Depacketizer } from "../../rtp/h264/decoder.ts";
import { parseSpropParameterSets } from "../../rtp/h264/sprop.ts";
import { H265Depacketizer } from "../../rtp/h265/decoder.ts";
import { MAX_ACCESS_UNIT_SIZE } from "../../rtp/limits.ts";
import type { RtpPacket } from "../../rtp/packet.ts";
import { RtpTimestampUnwrapper } from "../../rtp/timestamp-unwrapper.ts";
import type { MediaInfo } from "../../rtsp/sdp.ts";

/** G.711 and Opus carry one frame per packet as is (RFC 3551 4.5.14, RFC 7587 4.2). */
class PassThrough implements Depacketizer {
  readonly stats = { packets: 0, framesOut: 0, framesDropped: 0, lost: 0 };
  push(p: RtpPacket): DepacketizedFrame[] {
    this.stats.packets++;
    this.stats.framesOut++;
    return [{ units: [p.payload], timestamp: p.timestamp, key: true }];
  }
}

/** Copies (they outlive the packets they came in) with the picture size from the SPS. */
function trackParameters(codec: VideoCodec, p: ParameterSets): Partial<VideoTrack> {
  const out: Partial<Record<"vps" | "sps" | "pps", Uint8Array>> = {};
  if (p.vps) out.vps = p.vps.slice();
  if (p.sps) out.sps = p.sps.slice();
  if (p.pps) out.pps = p.pps.slice();
  return { ...out, ...(p.sps ? spsDimensions(codec, p.sps) : {}) };
}

/** VCL NAL unit types: H.264 1..5 (7.4.1.2.3), H.265 0..31 (7.4.2.2). */
function hasPicture(codec: string, units: readonly Uint8Array[]): boolean {
  return units.some((u) => {
    const t = codec === "h264" ? h264NalType(u) : h265NalType(u);
    return codec === "h264" ? t >= 1 && t <= 5 : t <= 31;
  });
}

/**
 * One SDP media section turned into a track: its depacketizer, its
 * parameters (from fmtp, then in-band), and RTP time mapped onto the
 * stream's clock.
 */
export class MediaTrack {
  track: Track;
  readonly depacketizer: Depacketizer;
  private readonly unwrapper = new RtpTimestampUnwrapper();
  /** Extended RTP timestamp that maps to time zero (from RTP-Info, or the first packet). */
  private zero: number | undefined;
  /** Time zero came from RTP-Info: every track agrees already, sender reports are not needed. */
  aligned = false;
  /** Video: decode times derived from presentation times (B-frames), made at the first picture. */
  private decodeTimes: DecodeTimestamps | undefined;
  /** Latest sender report: NTP seconds and the extended RTP timestamp sampled then. */
  report: { ntp: number; rtp: number } | undefined;

  constructor(
    readonly media: MediaInfo,
    id: number,
    /** Stream time in seconds that this session's time zero maps to. */
    private readonly startSeconds: number,
    /** Version of the track's first object: above the previous session's, so readers see a new encoder. */
    version: number,
    /**
     * Where access units are copied to: the depacketizer's frames are views
     * of memory it reuses at its next packet. Default: a copy of their own.
     */
    private readonly writer: UnitWriter = new CopyWriter(MAX_ACCESS_UNIT_SIZE),
  ) {
    const base = { id, version, clockRate: media.clockRate };
    switch (media.codec) {
      case "h264":
      case "h265": {
        const sprop =
          media.codec === "h264"
            ? parseSpropParameterSets(media.fmtp["sprop-parameter-sets"] ?? "")
            : ["sprop-vps", "sprop-sps", "sprop-pps"].flatMap((k) => parseSpropParameterSets(media.fmtp[k] ?? ""));
        this.track = { ...base, kind: "video", codec: media.codec, clockRate: 90000, ...trackParameters(media.codec, findParameterSets(media.codec, sprop)) };
        const maxDonDiff = Number(media.fmtp["sprop-max-don-diff"] ?? 0);
        this.depacketizer = media.codec === "h264" ? new H264Depacketizer() : new H265Depacketizer({ spropMaxDonDiff: maxDonDiff });
        break;
      }
      case "aac":
      case "aac-latm": {
        // Both packings carry the same AAC frames: one "aac" track, so HLS takes either.
        const aac = readAacPayload(media.codec === "aac" ? "generic" : "latm", media.clockRate, media.fmtp);
        this.track = { ...base, kind: "audio", codec: "aac", clockRate: media.clockRate, sampleRate: aac.asc.sampleRate, channels: aac.asc.channels, config: aac.config };
        this.depacketizer = aac.packing === "latm" ? new LatmDepacketizer(aac.latm) : new AacDepacketizer(aac.generic);
        break;
      }
      default:
        this.track = { ...base, kind: "audio", codec: media.codec, sampleRate: media.clockRate, channels: media.channels ?? 1 } as AudioTrack;
        this.depacketizer = new PassThrough();
    }
  }

  /** RTP-Info's rtptime for this track: the timestamp at the start of play (RFC 2326 12.33). */
  setZero(rtptime: number): void {
    this.zero = this.unwrapper.unwrap(rtptime);
    this.aligned = true;
  }

  /** RTCP SR (RFC 3550 6.4.1): ties this track's RTP clock to the sender's wall clock. */
  senderReport(ntp: number, rtpTimestamp: number): void {
    this.report = { ntp, rtp: this.unwrapper.unwrap(rtpTimestamp) };
  }

  /** Wall-clock (NTP) time of this track's time zero, once both are known. */
  zeroNtp(): number | undefined {
    if (this.zero === undefined || !this.report) return undefined;
    return this.report.ntp + (this.zero - this.report.rtp) / this.media.clockRate;
  }

  /** Moves time zero so that it falls at `ntp` on the sender's wall clock; returns the shift in seconds. */
  alignTo(ntp: number): number {
    const own = this.zeroNtp();
    if (own === undefined || this.zero === undefined) return 0;
    const shift = ntp - own;
    this.zero += Math.round(shift * this.media.clockRate);
    // Units after this one come `-shift` s later: pictures waiting for a decode time move too.
    this.decodeTimes?.shift(Math.round(-shift * this.track.clockRate));
    this.aligned = true;
    return shift;
  }

  /** Access units for one RTP packet; their bytes are the writer's (see the constructor). */
  push(packet: RtpPacket): AccessUnit[] {
    const out: AccessUnit[] = [];
    for (const frame of this.depacketizer.push(packet)) {
      const ext = this.unwrapper.unwrap(frame.timestamp);
      this.zero ??= ext;
      if (this.track.kind === "video") {
        this.takeParameters(frame.units);
        // Some cameras send SPS/PPS under a timestamp of their own: parameters, not a picture.
        if (!hasPicture(this.track.codec, frame.units)) continue;
      }
      const ticks = Math.round(((ext - this.zero) / this.media.clockRate + this.startSeconds) * this.track.clockRate);
      // RTP carries presentation time only; decode time follows from the reorder depth.
      const dts = this.track.kind === "video" ? this.decodeTime(this.track, ticks) : ticks;
      const { units, storage } = writeUnits(this.writer, frame.units);
      out.push({ track: this.track, pts: ticks, dts, key: frame.key, units, storage });
    }
    return out;
  }

  private decodeTime(track: VideoTrack, pts: number): number {
    if (!this.decodeTimes) {
      const timing = spsTiming(track.codec, track.sps);
      this.decodeTimes = new DecodeTimestamps(timing.reorder, Math.round(track.clockRate / timing.frameRate));
    }
    return this.decodeTimes.next(pts);
  }

  private takeParameters(units: readonly Uint8Array[]): void {
    const t = this.track as VideoTrack;
    const found = findParameterSets(t.codec, units);
    const changed = (found.sps && !bytesEqual(found.sps, t.sps)) || (found.pps && !bytesEqual(found.pps, t.pps)) || (found.vps && !bytesEqual(found.vps, t.vps));
    if (!changed) return;
    const next = trackParameters(t.codec, found);
    // Parameters first seen in-band fill the track; a real change makes a new version for readers.
    this.track = t.sps === undefined ? ({ ...t, ...next } as VideoTrack) : withParameters(t, next);
    if (next.sps) this.decodeTimes?.deepen(spsTiming(t.codec, next.sps).reorder);
  }

}
