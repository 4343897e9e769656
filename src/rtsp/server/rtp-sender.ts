import type { AccessUnit } from "../../core/access-unit.ts";
import type { Track } from "../../core/track.ts";
import { AacPacketizer } from "../../rtp/aac/encoder.ts";
import { H264Packetizer } from "../../rtp/h264/encoder.ts";
import { H265Packetizer } from "../../rtp/h265/encoder.ts";
import type { PacketizedPayload } from "../../rtp/nal-packetizer.ts";
import { RTP_HEADER_SIZE, RTP_VERSION, writeRtpPacket } from "../../rtp/packet.ts";
import { INTERLEAVED_HEADER, writeInterleavedHeader } from "../interleaved.ts";
import { ntpNow, writeSenderReport } from "../../rtp/sender-report.ts";

/** 1200 bytes of payload keeps RTP + UDP + IP under a 1500-byte MTU with room for tunnels. */
const MTU = 1200;

type Packetize = (au: AccessUnit) => PacketizedPayload[];

function packetizerFor(track: Track): Packetize {
  switch (track.codec) {
    case "h264": {
      const p = new H264Packetizer(MTU);
      return (au) => p.packetize(au.units, 0);
    }
    case "h265": {
      const p = new H265Packetizer(MTU);
      return (au) => p.packetize(au.units, 0);
    }
    case "aac": {
      const p = new AacPacketizer(MTU);
      return (au) => p.packetize(au.units, 0);
    }
    default:
      return (au) => au.units.map((payload) => ({ payload, marker: true, timestamp: 0 }));
  }
}

/**
 * The payloads of the newest access unit of each track, shared by its
 * readers: they are the same for every reader (only the RTP header differs),
 * so readers in step packetize a unit once, not once each. One unit per
 * track: a reader that lags packetizes for itself, and the cache never holds
 * more than one frame.
 */
const lastPacketized = new WeakMap<Track, { au: AccessUnit; payloads: PacketizedPayload[] }>();

function shared(track: Track, packetize: Packetize): Packetize {
  return (au) => {
    const hit = lastPacketized.get(track);
    if (hit?.au === au) return hit.payloads;
    const payloads = packetize(au);
    lastPacketized.set(track, { au, payloads });
    return payloads;
  };
}

/**
 * One track of one reader: access units to RTP packets with our own SSRC,
 * sequence numbers and a timestamp base (RFC 3550 5.1: random initial
 * values), plus the numbers a sender report needs.
 */
export class RtpSender {
  readonly ssrc = (Math.random() * 0x1_0000_0000) >>> 0;
  private sequence = (Math.random() * 0x10000) >>> 0;
  private readonly timestampBase = (Math.random() * 0x1_0000_0000) >>> 0;
  private readonly packetize: Packetize;
  packets = 0;
  octets = 0;

  constructor(
    readonly track: Track,
    readonly payloadType: number,
    /** RTP clock of the SDP we described (the track's clock rate, or the sample rate for audio). */
    private readonly clockRate: number,
  ) {
    this.packetize = shared(track, packetizerFor(track));
  }

  get firstSequence(): number {
    return this.sequence;
  }

  /** RTP timestamp of a unit: its presentation time on our clock, offset by our random base. */
  rtpTime(au: AccessUnit): number {
    return (this.timestampBase + Math.round((au.pts * this.clockRate) / au.track.clockRate)) >>> 0;
  }

  /** The RTP packets of one access unit, ready to send. */
  toPackets(au: AccessUnit): Uint8Array[] {
    const timestamp = this.rtpTime(au);
    const out: Uint8Array[] = [];
    for (const p of this.packetize(au)) {
      const packet = writeRtpPacket({
        marker: p.marker,
        payloadType: this.payloadType,
        sequence: this.sequence,
        timestamp: (timestamp + p.timestamp) >>> 0,
        ssrc: this.ssrc,
        payload: p.payload,
      });
      this.sequence = (this.sequence + 1) & 0xffff;
      this.packets++;
      this.octets += p.payload.byteLength;
      out.push(packet);
    }
    return out;
  }

  /**
   * All RTP packets of one access unit as interleaved frames on `channel`
   * (RFC 2326 10.12) in one buffer: one copy of the payload, one write.
   */
  toInterleaved(au: AccessUnit, channel: number): Uint8Array {
    const timestamp = this.rtpTime(au);
    const payloads = this.packetize(au);
    let size = 0;
    for (const p of payloads) size += INTERLEAVED_HEADER + RTP_HEADER_SIZE + p.payload.byteLength;
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    let o = 0;
    for (const p of payloads) {
      writeInterleavedHeader(out, o, channel, RTP_HEADER_SIZE + p.payload.byteLength);
      o += INTERLEAVED_HEADER;
      // RFC 3550 5.1: V=2, no padding, extension or CSRC.
      out[o] = RTP_VERSION << 6;
      out[o + 1] = (p.marker ? 0x80 : 0) | (this.payloadType & 0x7f);
      view.setUint16(o + 2, this.sequence);
      view.setUint32(o + 4, (timestamp + p.timestamp) >>> 0);
      view.setUint32(o + 8, this.ssrc);
      out.set(p.payload, o + RTP_HEADER_SIZE);
      o += RTP_HEADER_SIZE + p.payload.byteLength;
      this.sequence = (this.sequence + 1) & 0xffff;
      this.packets++;
      this.octets += p.payload.byteLength;
    }
    return out;
  }

  /**
   * RTCP sender report (RFC 3550 6.4.1) tying now to `mediaSeconds`, the
   * stream's media time now. Every track of a stream uses the same media
   * time, so receivers that align tracks on reports (ffmpeg does, from the
   * first report on) see them as they were. Mapping each track's last sent
   * packet to "now" instead shifts tracks against each other whenever a
   * reader starts on a backlog from the ring.
   */
  senderReport(mediaSeconds: number): Uint8Array {
    const rtpTimestamp = (this.timestampBase + Math.round(mediaSeconds * this.clockRate)) >>> 0;
    return writeSenderReport({ ssrc: this.ssrc, ntp: ntpNow(), rtpTimestamp, packets: this.packets, octets: this.octets });
  }
}
