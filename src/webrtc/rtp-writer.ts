import type { AccessUnit } from "../core/access-unit.ts";
import type { Track } from "../core/track.ts";
import { H264Packetizer } from "../rtp/h264/encoder.ts";
import { H265Packetizer } from "../rtp/h265/encoder.ts";
import { DEFAULT_MTU, type PacketizedPayload } from "../rtp/nal-packetizer.ts";
import { withParameterSets } from "./parameter-sets.ts";

/** One RTP packet's header fields and payload, fresh for each call: werift rewrites headers in place. */
export interface OutgoingPacket {
  readonly payload: Uint8Array;
  readonly marker: boolean;
  readonly sequence: number;
  readonly timestamp: number;
}

type Packetize = (units: readonly Uint8Array[]) => PacketizedPayload[];

function packetizerFor(track: Track): Packetize {
  switch (track.codec) {
    case "h264": {
      const p = new H264Packetizer(DEFAULT_MTU);
      return (units) => p.packetize(units, 0);
    }
    case "h265": {
      const p = new H265Packetizer(DEFAULT_MTU);
      return (units) => p.packetize(units, 0);
    }
    default:
      // Opus (RFC 7587 4.2) and G.711 (RFC 3551 4.5.14): one frame per packet, marker unset.
      return (units) => units.map((payload) => ({ payload, marker: false, timestamp: 0 }));
  }
}

/**
 * The RTP side of one track of one viewer: packets numbered on from a
 * random start with no gap while the session lasts, whatever the viewer
 * skipped, and timestamps from each unit's presentation time on the RTP
 * clock from a random base (RFC 3550 5.1), so audio and video stay in step.
 */
export class RtpWriter {
  private sequence = (Math.random() * 0x10000) >>> 0;
  private readonly timestampBase = (Math.random() * 0x1_0000_0000) >>> 0;
  private readonly packetize: Packetize;
  packets = 0;
  bytes = 0;
  frames = 0;

  constructor(
    readonly track: Track,
    /** RTP clock of the negotiated format: 90000 for video, 48000 for Opus, 8000 for G.711. */
    private readonly clockRate: number,
  ) {
    this.packetize = packetizerFor(track);
  }

  rtpTime(au: AccessUnit): number {
    return (this.timestampBase + Math.round((au.pts * this.clockRate) / au.track.clockRate)) >>> 0;
  }

  /** The packets of one unit, numbered on from the previous call. */
  write(au: AccessUnit): OutgoingPacket[] {
    const timestamp = this.rtpTime(au);
    const out: OutgoingPacket[] = [];
    for (const p of this.packetize(withParameterSets(au))) {
      out.push({ payload: p.payload, marker: p.marker, sequence: this.sequence, timestamp });
      this.sequence = (this.sequence + 1) & 0xffff;
      this.bytes += p.payload.byteLength;
    }
    this.packets += out.length;
    this.frames++;
    return out;
  }
}
