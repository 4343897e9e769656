import type { AccessUnit } from "../../core/access-unit.ts";
import type { RingReader } from "../../core/reader.ts";
import type { Stream } from "../../core/stream.ts";
import type { UdpSocket } from "../../runtime/udp-socket.ts";
import type { RtpSender } from "./rtp-sender.ts";

/** Where one track's packets go: interleaved channels on the RTSP connection, or UDP ports of the client. */
export type Delivery = { kind: "tcp"; rtpChannel: number } | { kind: "udp"; host: string; rtpPort: number; rtcpPort: number };

export interface SetupTrack {
  readonly sender: RtpSender;
  readonly delivery: Delivery;
}

export interface ReaderOutput {
  /** Bytes the client has not taken yet (TCP); 0 for UDP. */
  readonly pendingBytes: number;
  writeInterleaved(channel: number, payload: Uint8Array): void;
  /** Bytes already framed as interleaved frames, written as they are. */
  write(bytes: Uint8Array): void;
  readonly rtp: UdpSocket | undefined;
  readonly rtcp: UdpSocket | undefined;
}

/**
 * A client's send queue past this is a stalled reader: whole frames are
 * dropped until the next keyframe, so it costs us no more memory and the
 * picture resumes cleanly. 2 MiB is ~4 s of a 4 Mbit/s stream.
 */
const MAX_PENDING_BYTES = 2 << 20;
/** Still stalled this long after we started dropping: the reader is closed. */
const STALL_CLOSE_MS = 10_000;
/** Sender reports this often (RFC 3550 6.2). */
const RTCP_INTERVAL_MS = 5000;

/** Pulls one reader's access units from the ring and sends them as RTP, never blocking the publisher. */
export class ReaderSession {
  private readonly reader: RingReader;
  private waitingForKey = false;
  private stalledSince = 0;
  framesDropped = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;
  private readonly hasVideo: boolean;
  /** Tracks that had their first sender report: sent with their first packets, so receivers sync from the start. */
  private readonly reported = new Set<number>();

  constructor(
    private readonly stream: Stream,
    private readonly tracks: ReadonlyMap<number, SetupTrack>,
    private readonly out: ReaderOutput,
    /** The session ended on its own: the reader stalled, or was closed from outside (stream gone, kicked). */
    private readonly onEnded: (reason: string) => void,
    private readonly remote: string,
  ) {
    this.hasVideo = [...tracks.values()].some((t) => t.sender.track.kind === "video");
    this.reader = stream.addReader("rtsp", remote);
    this.timer = setInterval(() => this.reports(), RTCP_INTERVAL_MS);
    void this.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.reader.close("rtsp reader left");
  }

  private async pump(): Promise<void> {
    while (!this.closed && !this.reader.closed) {
      const au = this.reader.read();
      if (!au) {
        await this.reader.wait();
        continue;
      }
      this.send(au);
    }
    if (!this.closed) {
      this.close();
      this.onEnded(this.reader.closeReason ?? "the stream ended");
    }
  }

  private send(au: AccessUnit): void {
    const t = this.tracks.get(au.track.id);
    if (!t) return;
    if (this.out.pendingBytes > MAX_PENDING_BYTES) {
      const now = Date.now();
      this.stalledSince ||= now;
      if (now - this.stalledSince > STALL_CLOSE_MS) {
        this.close();
        this.onEnded("stalled: the send queue stayed full");
        return;
      }
      this.waitingForKey = true;
    } else this.stalledSince = 0;
    if (this.waitingForKey) {
      const restart = au.key && (au.track.kind === "video" || !this.hasVideo);
      if (!restart || this.out.pendingBytes > MAX_PENDING_BYTES) {
        this.framesDropped++;
        this.stream.drops.note(`rtsp ${this.remote}`, 1);
        return;
      }
      this.waitingForKey = false;
    }
    // TCP: one write per unit, not per packet (a send() per packet capped Bun at ~300 readers of 4 Mbit/s: bench/rtsp-fanout).
    if (t.delivery.kind === "tcp") this.out.write(t.sender.toInterleaved(au, t.delivery.rtpChannel));
    else for (const packet of t.sender.toPackets(au)) this.deliver(t.delivery, packet, false);
    if (!this.reported.has(au.track.id)) {
      this.reported.add(au.track.id);
      this.deliver(t.delivery, t.sender.senderReport(this.stream.mediaNow()), true);
    }
  }

  private deliver(d: Delivery, packet: Uint8Array, rtcp: boolean): void {
    if (d.kind === "tcp") this.out.writeInterleaved(d.rtpChannel + (rtcp ? 1 : 0), packet);
    else (rtcp ? this.out.rtcp : this.out.rtp)?.send(packet, rtcp ? d.rtcpPort : d.rtpPort, d.host);
  }

  private reports(): void {
    const now = this.stream.mediaNow();
    for (const [id, t] of this.tracks) if (this.reported.has(id)) this.deliver(t.delivery, t.sender.senderReport(now), true);
  }
}
