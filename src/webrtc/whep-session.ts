import { MediaStream, RTCPeerConnection, type RTCRtpSender, RtpHeader, RtpPacket } from "werift";
import type { AccessUnit } from "../core/access-unit.ts";
import { logger } from "../core/log.ts";
import type { RingReader } from "../core/reader.ts";
import type { Stream } from "../core/stream.ts";
import type { WebRtcConfig } from "../config/schema.ts";
import { filterOffer } from "./offer-filter.ts";
import type { WhepOffer } from "./offer.ts";
import { peerConfig } from "./peer-config.ts";
import { reordered } from "./reordering.ts";
import { guardSocketErrors } from "./socket-errors.ts";
import { RtpWriter } from "./rtp-writer.ts";
import type { SessionPlan } from "./session-plan.ts";
import { ViewerPump } from "./viewer-pump.ts";
import type { WhepSessionInfo } from "./whep-session-info.ts";

const log = logger("whep");

/** Host candidates are ready in milliseconds; STUN/TURN gathering gives up after 5 s in werift. */
const GATHER_TIMEOUT_MS = 8000;

interface SendTrack {
  readonly writer: RtpWriter;
  readonly sender: RTCRtpSender;
  readonly mid: string;
  readonly payloadType: number;
  readonly codec: string;
  readonly note: string | undefined;
}

/** werift wants Buffers; this one is a view over our bytes, not a copy. */
function bufferView(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * One WHEP viewer: a werift peer connection sending the stream's tracks
 * from its own ring cursor. It ends on DELETE, on ICE failure (consent
 * expired), on DTLS close, when the stream goes, or when it does not
 * connect in time; ending releases the reader, the timer and the sockets.
 */
export class WhepSession {
  readonly id = crypto.randomUUID();
  /** One ICE session per WHEP session (no restarts), so one entity tag (RFC 9725 4.3.1). */
  readonly etag = `"${crypto.randomUUID().slice(0, 8)}"`;
  readonly createdAt = Date.now();
  state: "connecting" | "connected" | "closed" = "connecting";
  connectedAt: number | undefined;
  closeReason: string | undefined;
  pliReceived = 0;
  nackReceived = 0;
  private readonly pc: RTCPeerConnection;
  private readonly sends = new Map<number, SendTrack>();
  /** Presentation time of the last video unit sent per track, to notice B-frames that were not signalled. */
  private readonly lastVideoPts = new Map<number, number>();
  private reader: RingReader;
  private pump: ViewerPump | undefined;
  private readonly connectTimer: ReturnType<typeof setTimeout>;
  private closing: Promise<void> | undefined;
  /** Resolves once werift has closed the sockets. */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  /** The viewer's ICE username fragment: a PATCH with another one is an ICE restart. */
  readonly remoteUfrag: string;

  private constructor(
    readonly stream: Stream,
    readonly plan: SessionPlan,
    config: WebRtcConfig,
    offer: WhepOffer,
    remote: string | undefined,
    private readonly onClose: (session: WhepSession) => void,
  ) {
    this.remoteUfrag = offer.iceUfrag;
    this.closed = new Promise((r) => (this.markClosed = r));
    this.pc = new RTCPeerConnection(peerConfig(config, plan.send, offer.sections));
    // A reader from the start: it keeps an on-demand source dialled and shows in /v1/streams.
    this.reader = stream.addReader("webrtc", remote);
    this.reader.addCloseListener((r) => {
      // Kicked through the API, or the stream ended, before the viewer connected.
      if (this.state === "connecting") void this.close(r.closeReason ?? "reader closed");
    });
    this.connectTimer = setTimeout(() => void this.close(`not connected within ${config.connectTimeout} s (ICE or DTLS)`), config.connectTimeout * 1000);
    this.pc.connectionStateChange.subscribe((s) => {
      if (s === "connected") this.onConnected();
      else if (s === "failed") void this.close("ICE or DTLS failed (no answer to connectivity checks for 30 s, RFC 7675)");
      else if (s === "closed") void this.close("closed");
    });
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
  ): Promise<{ session: WhepSession; answer: string }> {
    const session = new WhepSession(stream, plan, config, offer, remote, onClose);
    try {
      return { session, answer: await session.negotiate(sdp) };
    } catch (e) {
      await session.close(`negotiation failed: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  private async negotiate(sdp: string): Promise<string> {
    const keep = new Map(this.plan.send.map((p) => [p.section.index, p.codec.payloadType]));
    await this.pc.setRemoteDescription({ type: "offer", sdp: filterOffer(sdp, keep) });
    const msid = new MediaStream({ id: this.stream.path });
    const transceivers = this.pc.getTransceivers();
    for (const p of this.plan.send) {
      const t = transceivers.find((x) => x.mLineIndex === p.section.index);
      if (!t) throw new Error(`no transceiver for m-section ${p.section.index}`);
      t.setDirection("sendonly");
      t.sender.setStreams([msid]);
      this.sends.set(p.track.id, {
        writer: new RtpWriter(p.track, p.codec.clockRate),
        sender: t.sender,
        mid: t.mid ?? String(p.section.index),
        payloadType: p.codec.payloadType,
        codec: p.track.codec,
        note: p.note,
      });
      t.sender.onPictureLossIndication.subscribe(() => this.pliReceived++);
      t.sender.onGenericNack.subscribe(() => this.nackReceived++);
    }
    const planned = new Set(this.plan.send.map((p) => p.section.index));
    for (const t of transceivers) if (!planned.has(t.mLineIndex ?? -1)) t.setDirection("inactive");
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    // werift does not carry a DTLS close_notify into connectionState: watch the transport itself.
    for (const d of this.pc.dtlsTransports) {
      d.onStateChange.subscribe((s) => {
        if (s === "closed") void this.close("the viewer closed the connection (DTLS close_notify)");
        else if (s === "failed") void this.close("DTLS failed");
      });
    }
    await this.gathered();
    if (guardSocketErrors(this.pc, (e) => log.debug(`session ${this.id}: socket error ${e.message}`)) === 0) {
      log.warn(`session ${this.id}: found no werift UDP socket to guard against ICMP errors (werift changed?)`);
    }
    const answer = this.pc.localDescription?.sdp;
    if (!answer) throw new Error("werift produced no answer");
    return answer;
  }

  private gathered(): Promise<void> {
    if (this.pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(finish, GATHER_TIMEOUT_MS);
      const sub = this.pc.iceGatheringStateChange.subscribe((s) => s === "complete" && finish());
      function finish(): void {
        clearTimeout(timer);
        sub.unSubscribe();
        resolve();
      }
    });
  }

  /** Trickled candidates of the viewer (RFC 8840); the caller checked the ICE session. */
  async addCandidate(candidate: string, mid: string | undefined): Promise<void> {
    if (this.state === "closed") return;
    await this.pc.addIceCandidate({ candidate, sdpMid: mid ?? this.sends.values().next().value?.mid });
  }

  private onConnected(): void {
    if (this.state !== "connecting") return;
    this.state = "connected";
    this.connectedAt = Date.now();
    clearTimeout(this.connectTimer);
    // Start at the newest keyframe now, not where the ring was when the offer came.
    const r = this.pc.iceTransports[0]?.connection.nominated?.remoteCandidate;
    const fresh = this.stream.addReader("webrtc", r ? `${r.host}:${r.port}` : undefined);
    this.reader.close("webrtc session connected");
    this.reader = fresh;
    const hasVideo = [...this.sends.values()].some((s) => s.writer.track.kind === "video");
    this.pump = new ViewerPump(
      fresh,
      this.stream.ring,
      new Set(this.sends.keys()),
      (au) => au.key && (au.track.kind === "video" || !hasVideo),
      (au) => this.send(au),
    );
    void this.pump.run().then((why) => this.close(why));
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
      sending.push(t.sender.sendRtp(new RtpPacket(header, bufferView(p.payload))));
    }
    await Promise.all(sending);
    this.stream.counters.bytesOut += sending.length > 0 ? au.units.reduce((n, u) => n + u.byteLength, 0) : 0;
  }

  /** Ends the session; safe to call more than once. */
  close(reason: string): Promise<void> {
    // pc.close() below fires connectionState "closed" synchronously, which calls back in here.
    if (this.state === "closed") return this.closing ?? this.closed;
    this.state = "closed";
    this.closeReason = reason;
    clearTimeout(this.connectTimer);
    this.pump?.stop();
    this.reader.close(`webrtc: ${reason}`);
    log.debug(`session ${this.id} on "${this.stream.path}" closed: ${reason}`);
    this.onClose(this);
    this.closing = this.pc
      .close()
      .catch((e: unknown) => log.warn(`closing session ${this.id}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => this.markClosed());
    return this.closing;
  }

  /** The nominated ICE pair, `local -> remote (type)`, once there is one. */
  private candidatePair(): string | null {
    const pair = this.state === "closed" ? undefined : this.pc.iceTransports[0]?.connection.nominated;
    if (!pair) return null;
    const l = pair.localCandidate;
    const r = pair.remoteCandidate;
    return `${l.host}:${l.port} (${l.type}) -> ${r.host}:${r.port} (${r.type})`;
  }

  info(): WhepSessionInfo {
    return {
      id: this.id,
      path: this.stream.path,
      state: this.state,
      createdAt: new Date(this.createdAt).toISOString(),
      connectedAt: this.connectedAt === undefined ? null : new Date(this.connectedAt).toISOString(),
      candidatePair: this.candidatePair(),
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
      pliReceived: this.pliReceived,
      nackReceived: this.nackReceived,
      closeReason: this.closeReason ?? null,
    };
  }
}
