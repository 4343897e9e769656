import { MediaStream, type RTCRtpSender, RtpHeader, RtpPacket } from "werift";
import type { AccessUnit } from "../core/access-unit.ts";
import { logger } from "../core/log.ts";
import type { RingReader } from "../core/reader.ts";
import type { Stream } from "../core/stream.ts";
import type { WebRtcConfig } from "../config/schema.ts";
import { requestKeyframe } from "./keyframe-request.ts";
import type { WhepOffer } from "./offer.ts";
import { type PeerOptions, PeerSession } from "./peer-session.ts";
import { payloadBuffer } from "./payload-buffer.ts";
import { reordered } from "./reordering.ts";
import { RtpWriter } from "./rtp-writer.ts";
import type { SessionPlan } from "./session-plan.ts";
import { ViewerPump } from "./viewer-pump.ts";
import type { WhepSessionInfo } from "./whep-session-info.ts";

const log = logger("whep");

interface SendTrack {
  readonly writer: RtpWriter;
  readonly sender: RTCRtpSender;
  readonly mid: string;
  readonly payloadType: number;
  readonly codec: string;
  readonly note: string | undefined;
}

/**
 * One WHEP viewer: a werift peer connection sending the stream's tracks
 * from its own ring cursor. It ends on DELETE, on ICE failure (consent
 * expired), on DTLS close, when the stream goes or its reader is kicked, or
 * when it does not connect in time; ending releases the reader, the timer
 * and the sockets.
 */
export class WhepSession {
  readonly peer: PeerSession;
  pliReceived = 0;
  nackReceived = 0;
  private readonly sends = new Map<number, SendTrack>();
  /** Presentation time of the last video unit sent per track, to notice B-frames that were not signalled. */
  private readonly lastVideoPts = new Map<number, number>();
  private reader: RingReader;
  private pump: ViewerPump | undefined;

  private constructor(
    readonly stream: Stream,
    readonly plan: SessionPlan,
    config: WebRtcConfig,
    offer: WhepOffer,
    remote: string | undefined,
    onClose: (session: WhepSession) => void,
    peerOptions: PeerOptions,
  ) {
    this.peer = new PeerSession(config, offer, plan.send, {
      connected: () => this.onConnected(),
      closed: (reason) => {
        this.pump?.stop();
        this.reader.close(`webrtc: ${reason}`);
        log.debug(`session ${this.id} on "${stream.path}" closed: ${reason}`);
        onClose(this);
      },
    }, peerOptions);
    // A reader from the start: it keeps an on-demand source dialled and shows in /v1/streams.
    this.reader = stream.addReader("webrtc", remote);
    this.reader.addCloseListener((r) => {
      // Kicked through the API, or the stream ended, before the viewer connected.
      if (this.peer.state === "connecting") void this.close(r.closeReason ?? "reader closed");
    });
  }

  get id(): string {
    return this.peer.id;
  }

  /** Sets up the peer connection for `offer` and returns the session with its answer (all candidates in it). */
  static async create(
    stream: Stream,
    sdp: string,
    offer: WhepOffer,
    plan: SessionPlan,
    config: WebRtcConfig,
    remote: string | undefined,
    onClose: (session: WhepSession) => void,
    peerOptions: PeerOptions = {},
  ): Promise<{ session: WhepSession; answer: string }> {
    const session = new WhepSession(stream, plan, config, offer, remote, onClose, peerOptions);
    try {
      const msid = new MediaStream({ id: stream.path });
      const answer = await session.peer.answer(sdp, plan.send, "sendonly", (t, p) => {
        t.sender.setStreams([msid]);
        session.sends.set(p.track.id, {
          writer: new RtpWriter(p.track, p.codec.clockRate),
          sender: t.sender,
          mid: t.mid ?? String(p.section.index),
          payloadType: p.codec.payloadType,
          codec: p.track.codec,
          note: p.note,
        });
        t.sender.onPictureLossIndication.subscribe(() => {
          session.pliReceived++;
          requestKeyframe(stream);
        });
        t.sender.onGenericNack.subscribe(() => session.nackReceived++);
      });
      return { session, answer };
    } catch (e) {
      await session.close(`negotiation failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  private onConnected(): void {
    // Start at the newest keyframe now, not where the ring was when the offer came.
    const fresh = this.stream.addReader("webrtc", this.peer.remoteAddress());
    this.reader.close("webrtc session connected");
    this.reader = fresh;
    // A source that makes keyframes on request (a WHIP publisher) is asked for one, so the picture starts at once.
    requestKeyframe(this.stream);
    const hasVideo = [...this.sends.values()].some((s) => s.writer.track.kind === "video");
    this.pump = new ViewerPump(
      fresh,
      this.stream.ring,
      new Set(this.sends.keys()),
      (au) => au.key && (au.track.kind === "video" || !hasVideo),
      (au) => this.send(au),
    );
    void this.pump.run().then(
      (why) => this.close(why),
      (e: unknown) => this.close(`sending failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private async send(au: AccessUnit): Promise<void> {
    const t = this.sends.get(au.track.id);
    if (!t) return;
    if (au.track.codec !== t.codec) {
      void this.close(`track ${au.track.id} changed from ${t.codec} to ${au.track.codec}: reconnect to renegotiate`);
      return;
    }
    if (au.track.kind === "video") {
      const last = this.lastVideoPts.get(au.track.id);
      if (last !== undefined && reordered(last, au)) {
        void this.close(`track ${au.track.id} started sending B-frames, which browsers cannot decode over WebRTC`);
        return;
      }
      this.lastVideoPts.set(au.track.id, au.pts);
    }
    const sending: Promise<void>[] = [];
    for (const p of t.writer.write(au)) {
      // A new packet object for every send: werift rewrites header fields in place and keeps it for NACKs.
      const header = new RtpHeader({ marker: p.marker, payloadType: t.payloadType, sequenceNumber: p.sequence, timestamp: p.timestamp });
      sending.push(t.sender.sendRtp(new RtpPacket(header, payloadBuffer(p.payload, au))));
    }
    await Promise.all(sending);
    this.stream.counters.bytesOut += sending.length > 0 ? au.units.reduce((n, u) => n + u.byteLength, 0) : 0;
  }

  /** Ends the session; safe to call more than once. */
  close(reason: string): Promise<void> {
    return this.peer.close(reason);
  }

  info(): WhepSessionInfo {
    return {
      ...this.peer.info(),
      path: this.stream.path,
      tracks: [...this.sends.entries()].map(([id, t]) => ({
        id,
        codec: t.codec,
        mid: t.mid,
        payloadType: t.payloadType,
        frames: t.writer.frames,
        packets: t.writer.packets,
        bytes: t.writer.bytes,
        ...(t.note === undefined ? {} : { note: t.note }),
      })),
      leftOut: this.plan.leftOut.map((l) => ({ ...l })),
      framesSent: this.pump?.framesSent ?? 0,
      framesDropped: (this.pump?.framesDropped ?? 0) + this.reader.dropped,
      datagramsDropped: this.peer.sendDrops,
      pliReceived: this.pliReceived,
      nackReceived: this.nackReceived,
      closeReason: this.peer.closeReason ?? null,
    };
  }
}
