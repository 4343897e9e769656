import { ParseError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import type { Stream } from "../../core/stream.ts";
import { UnitArena } from "../../core/unit-arena.ts";
import { MAX_ACCESS_UNIT_SIZE } from "../../rtp/limits.ts";
import { parseRtpPacket, type RtpPacket } from "../../rtp/packet.ts";
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
 * Packets held per track between PLAY and its answer (see hold). The answer
 * comes within a round trip of the first packet; 512 packets or 1 MiB is
 * over 0.3 s of a 20 Mbit/s camera. Past either, packets are dropped (counted).
 */
export const MAX_HELD_PACKETS = 512;
export const MAX_HELD_BYTES = 1 << 20;

/**
 * The RTP tracks of one RTSP session, whichever side dialled: a camera we
 * pull, or a publisher that pushes to us. Packets in, access units into the
 * stream, with loss counted and tracks aligned on sender reports.
 */
export class RtpTrackSet {
  readonly tracks: MediaTrack[];
  readonly receptions: Reception[];
  readonly counters = { packets: 0, badPackets: 0, heldDropped: 0 };
  /** Packets that came before the PLAY answer, in arrival order; undefined when not holding. */
  private held: { index: number; packet: RtpPacket }[] | undefined;
  /** Packets and bytes held per track, for the bounds. */
  private heldCount: { packets: number; bytes: number }[] = [];
  /** Where access units are kept: memory the ring has let go of is reused, not allocated per frame. */
  private readonly arena = new UnitArena();

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
      return new MediaTrack(m, i, startSeconds, previous === undefined ? 0 : previous + 1, this.arena.writer(MAX_ACCESS_UNIT_SIZE));
    });
    this.receptions = this.tracks.map(() => new Reception());
  }

  /**
   * Holds packets until release(): a camera may send RTP before its PLAY
   * answer (ahead of the answer's bytes on the same TCP connection, or racing
   * it over UDP), and that answer's RTP-Info sets time zero (RFC 2326 12.33).
   * A packet timed before it would take time zero from itself instead, and
   * every later one would step when RTP-Info moves it.
   */
  hold(): void {
    this.held = [];
    this.heldCount = this.tracks.map(() => ({ packets: 0, bytes: 0 }));
  }

  /** Time zero is set (RTP-Info) or will come from the first packet: the held packets go out, in arrival order. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    for (const h of held ?? []) this.accept(h.index, h.packet);
    if (this.counters.heldDropped > 0) log.warn(`${this.stream.path}: ${this.counters.heldDropped} RTP packets before the PLAY answer dropped (over ${MAX_HELD_PACKETS} packets or ${MAX_HELD_BYTES} bytes for a track)`);
  }

  /** One RTP packet of track `index`; false when it is not RTP (counted). */
  rtp(index: number, bytes: Uint8Array): boolean {
    if (!this.tracks[index]) return false;
    // Holding (see hold): this track's held packets and bytes.
    const count = this.held && this.heldCount[index];
    let packet;
    try {
      // Held packets outlive the buffer they came in.
      packet = parseRtpPacket(count ? bytes.slice() : bytes);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.counters.badPackets++;
      return false;
    }
    this.counters.packets++;
    if (!count) this.accept(index, packet);
    else if (count.packets < MAX_HELD_PACKETS && count.bytes + bytes.byteLength <= MAX_HELD_BYTES) {
      this.held!.push({ index, packet });
      count.packets++;
      count.bytes += bytes.byteLength;
    } else this.counters.heldDropped++;
    return true;
  }

  private accept(index: number, packet: RtpPacket): void {
    const track = this.tracks[index]!;
    this.receptions[index]!.push(packet.sequence, packet.ssrc);
    let units;
    try {
      units = track.push(packet);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      this.counters.badPackets++;
      return;
    }
    for (const au of units) this.stream.push(au);
    this.arena.settle();
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
