import { ParseError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import type { Stream } from "../../core/stream.ts";
import { parseRtpPacket } from "../../rtp/packet.ts";
import { receiverReport } from "../../rtp/receiver-report.ts";
import { readSenderReports } from "../../rtp/sender-report.ts";
import type { MediaInfo } from "../../rtsp/sdp.ts";
import { MediaTrack } from "./media-track.ts";
import { Reception } from "./reception.ts";

const log = logger("rtp");
/**
 * A stream's first session starts at this time, so a track that begins a
 * little before the alignment point (audio before the first picture) never
 * gets a negative timestamp, which MPEG-TS cannot carry.
 */
const FIRST_START_SECONDS = 10;
/** A later session resumes this long after the stream's newest unit: time goes on, players need no reset. */
const RESUME_GAP_SECONDS = 1;

/**
 * The RTP tracks of one RTSP session, whichever side dialled: a camera we
 * pull, or a publisher that pushes to us. Packets in, access units into the
 * stream, with loss counted and tracks aligned on sender reports.
 */
export class RtpTrackSet {
  readonly tracks: MediaTrack[];
  readonly receptions: Reception[];
  readonly counters = { packets: 0, badPackets: 0 };

  /**
   * The tracks of a new session on `stream` (a camera dialled again, a
   * publisher): its time goes on after the stream's newest unit, and its
   * track versions go above the stream's, so readers see a new encoder.
   */
  static continuing(stream: Stream, media: readonly MediaInfo[]): RtpTrackSet {
    const newest = stream.ring.at(stream.ring.tail - 1);
    const start = newest ? newest.dts / newest.track.clockRate + RESUME_GAP_SECONDS : FIRST_START_SECONDS;
    return new RtpTrackSet(stream, media, start, stream.tracks.map((t) => t?.version));
  }

  constructor(
    private readonly stream: Stream,
    media: readonly MediaInfo[],
    /** Stream time in seconds where this session starts. */
    startSeconds: number,
    /** Track versions of the previous session by track id: this one's are above them. */
    previousVersions: readonly (number | undefined)[] = [],
  ) {
    this.tracks = media.map((m, i) => {
      const previous = previousVersions[i];
      return new MediaTrack(m, i, startSeconds, previous === undefined ? 0 : previous + 1);
    });
    this.receptions = this.tracks.map(() => new Reception());
  }

  /** One RTP packet of track `index`; false when it is not RTP (counted). */
  rtp(index: number, bytes: Uint8Array): boolean {
    const track = this.tracks[index];
    if (!track) return false;
    let packet;
    try {
      packet = parseRtpPacket(bytes);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.counters.badPackets++;
      return false;
    }
    this.counters.packets++;
    this.receptions[index]!.push(packet.sequence, packet.ssrc);
    let units;
    try {
      units = track.push(packet);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.counters.badPackets++;
      return true;
    }
    for (const au of units) this.stream.push(au);
    return true;
  }

  /**
   * RTCP of track `index`. Without RTP-Info each track's time zero is its
   * first packet, which can be hundreds of ms apart between audio and video.
   * Once every track has a sender report, move each zero to the same
   * wall-clock instant (RFC 3550 6.4.1), once. The instant is the earliest
   * track's, so every shift moves time forward: units already sent stay
   * before the next ones (a step back would be a discontinuity for HLS).
   */
  rtcp(index: number, bytes: Uint8Array): void {
    const track = this.tracks[index];
    if (!track) return;
    for (const sr of readSenderReports(bytes)) track.senderReport(sr.ntp, sr.rtpTimestamp);
    if (this.tracks.length < 2 || this.tracks.every((t) => t.aligned)) return;
    const zeros = this.tracks.map((t) => t.zeroNtp());
    if (zeros.some((z) => z === undefined)) return;
    const reference = Math.min(...(zeros as number[]));
    for (const t of this.tracks) {
      const shift = t.alignTo(reference);
      if (shift < -0.001) log.info(`${this.stream.path}: ${t.track.codec} moved ${(-shift * 1000).toFixed(0)} ms later to align on sender reports`);
    }
  }

  /** A receiver report for track `index` (RFC 3550 6.4.2); undefined for no such track. */
  receiverReport(ssrc: number, index: number): Uint8Array | undefined {
    const reception = this.receptions[index];
    return reception && receiverReport(ssrc, reception.report());
  }

  get lost(): number {
    return this.receptions.reduce((n, r) => n + r.lost, 0);
  }

  get framesDropped(): number {
    return this.tracks.reduce((n, t) => n + t.depacketizer.stats.framesDropped, 0);
  }
}
