import type { MediaStreamTrack, RTCRtpReceiver, RtcpPacket } from "werift";
import type { WebRtcConfig } from "../config/schema.ts";
import { logger } from "../core/log.ts";
import type { Stream } from "../core/stream.ts";
import type { Publisher } from "../ingest/publisher.ts";
import { RtpTrackSet } from "../ingest/rtsp/rtp-track-set.ts";
import type { SourceState, SourceStatus } from "../ingest/source-status.ts";
import type { KeyframeSource } from "./keyframe-request.ts";
import type { WhepOffer } from "./offer.ts";
import { type PeerInfo, type PeerOptions, PeerSession } from "./peer-session.ts";
import type { PublishPlan } from "./whip-plan.ts";

const log = logger("whip");

/** Keyframe requests closer together than this are one: a burst of viewers' PLIs costs the encoder one keyframe. */
const MIN_KEYFRAME_GAP_MS = 500;
/** RTCP sender report packet type (RFC 3550 6.4.1). */
const RTCP_SR = 200;

/** What GET on a WHIP session tells about it. */
export interface WhipSessionInfo extends PeerInfo {
  path: string;
  tracks: { id: number; codec: string; mid: string | null; payloadType: number }[];
  ignored: PublishPlan["ignored"];
  packets: number;
  lost: number;
  keyframeRequests: number;
  closeReason: string | null;
}

/**
 * A WHIP publisher: a werift peer connection whose RTP goes through the
 * same depacketizers as an RTSP publisher's (RtpTrackSet) into the stream,
 * H.264 and Opus. Browsers make keyframes only when asked, so it asks
 * (RTCP PLI) every publisherKeyframeInterval seconds and when a viewer
 * lost the picture.
 */
export class WhipSession implements Publisher, KeyframeSource {
  readonly peer: PeerSession;
  private readonly set: RtpTrackSet;
  private state: SourceState = "starting";
  private reason: string | undefined;
  private readonly receivers: { receiver: RTCRtpReceiver; track: MediaStreamTrack | undefined; video: boolean }[] = [];
  private readonly mids = new Map<number, string | null>();
  private keyframeTimer: ReturnType<typeof setInterval> | undefined;
  private lastKeyframeRequest = 0;
  keyframeRequests = 0;

  constructor(
    readonly stream: Stream,
    readonly remote: string,
    readonly plan: PublishPlan,
    private readonly config: WebRtcConfig,
    offer: WhepOffer,
    /** The session ended by itself (ICE failure, DTLS close, ...): the SourceManager lets the path go. */
    private readonly onEnd: (session: WhipSession, reason: string) => void,
    /** The session is over, however it ended (once). */
    private readonly onGone: (session: WhipSession) => void,
    peerOptions: PeerOptions = {},
  ) {
    this.set = RtpTrackSet.continuing(
      stream,
      plan.take.map((t) => t.media),
    );
    this.peer = new PeerSession(config, offer, plan.take, {
      connected: () => this.onConnected(),
      closed: (reason) => this.ended(reason),
    }, peerOptions);
  }

  get id(): string {
    return this.peer.id;
  }

  /** Answers the publisher's offer: our sections receive, RTP and sender reports go to the track set. */
  answer(sdp: string): Promise<string> {
    return this.peer.answer(sdp, this.plan.take, "recvonly", (t, c) => {
      const index = this.plan.take.indexOf(c);
      this.mids.set(index, t.mid);
      const entry = { receiver: t.receiver, track: undefined as MediaStreamTrack | undefined, video: c.section.kind === "video" };
      this.receivers.push(entry);
      const attach = (track: MediaStreamTrack) => {
        entry.track = track;
        track.onReceiveRtp.subscribe((rtp) => {
          if (this.state === "running") this.set.rtp(index, rtp.serialize());
        });
      };
      // werift makes the track at setRemoteDescription when the offer names its SSRC, else on the first packet.
      for (const track of t.receiver.tracks) attach(track);
      t.onTrack.subscribe(attach);
      t.receiver.onRtcp.subscribe((p: RtcpPacket) => {
        if (this.state === "running" && p.type === RTCP_SR) this.set.rtcp(index, p.serialize());
      });
    });
  }

  private onConnected(): void {
    if (this.state !== "starting") return;
    for (const t of this.set.tracks) this.stream.setTrack(t.track);
    this.state = "running";
    log.info(`${this.stream.path}: WHIP publisher ${this.peer.remoteAddress() ?? this.remote} connected: ${this.plan.take.map((t) => t.media.codec).join(" + ")}`);
    if (this.config.publisherKeyframeInterval > 0) {
      this.keyframeTimer = setInterval(() => this.requestKeyframe(), this.config.publisherKeyframeInterval * 1000);
    }
  }

  /** RTCP PLI to the publisher's video (RFC 4585 6.3.1), at most one per MIN_KEYFRAME_GAP_MS. */
  requestKeyframe(): void {
    const now = Date.now();
    if (this.state !== "running" || now - this.lastKeyframeRequest < MIN_KEYFRAME_GAP_MS) return;
    this.lastKeyframeRequest = now;
    for (const r of this.receivers) {
      if (!r.video || r.track?.ssrc === undefined) continue;
      this.keyframeRequests++;
      r.receiver.sendRtcpPLI(r.track.ssrc).catch((e: unknown) => log.debug(`PLI: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** Ends taking media, from outside (replaced, path reconfigured, server stopping) or from ended(). Idempotent. */
  close(reason: string): void {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.reason = reason;
    clearInterval(this.keyframeTimer);
    log.debug(`session ${this.id} on "${this.stream.path}" closed: ${reason}`);
    void this.peer.close(reason);
    this.onGone(this);
  }

  /** The peer connection ended by itself: the path is let go. */
  private ended(reason: string): void {
    if (this.state === "stopped") return;
    this.close(reason);
    this.onEnd(this, reason);
  }

  status(): SourceStatus {
    return {
      kind: "publisher",
      url: `webrtc://${this.peer.remoteAddress() ?? this.remote}`,
      state: this.state,
      reason: this.reason,
      counters: { ...this.set.counters, lost: this.set.lost, framesDropped: this.set.framesDropped, keyframeRequests: this.keyframeRequests },
    };
  }

  info(): WhipSessionInfo {
    return {
      ...this.peer.info(),
      path: this.stream.path,
      tracks: this.plan.take.map((t, i) => ({ id: i, codec: t.media.codec, mid: this.mids.get(i) ?? null, payloadType: t.codec.payloadType })),
      ignored: this.plan.ignored.map((x) => ({ ...x })),
      packets: this.set.counters.packets,
      lost: this.set.lost,
      keyframeRequests: this.keyframeRequests,
      closeReason: this.peer.closeReason ?? null,
    };
  }
}
