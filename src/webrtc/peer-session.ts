import { RTCPeerConnection, type RTCRtpTransceiver } from "werift";
import type { WebRtcConfig } from "../config/schema.ts";
import { logger } from "../core/log.ts";
import { filterOffer } from "./offer-filter.ts";
import type { WhepOffer } from "./offer.ts";
import { type ChosenFormat, peerConfig } from "./peer-config.ts";
import { guardSockets, type SocketGuard } from "./socket-guard.ts";

const log = logger("webrtc");

/** Host candidates are ready in milliseconds; STUN/TURN gathering gives up after 5 s in werift. */
const GATHER_TIMEOUT_MS = 8000;

export type PeerState = "connecting" | "connected" | "closed";

/** How the runtime's UDP behaves: Deno's node:dgram needs its sends serialized (socket-guard.ts). */
export interface PeerOptions {
  readonly orderedSends?: boolean;
}

export interface PeerHooks {
  /** ICE and DTLS are up: media may flow. */
  connected(): void;
  /** The session ended (once); werift is closing its sockets. */
  closed(reason: string): void;
}

/** The connection part of a WHEP or WHIP session's info. */
export interface PeerInfo {
  id: string;
  state: PeerState;
  createdAt: string;
  connectedAt: string | null;
  /** The ICE candidate pair in use: `local -> remote (type)`. */
  candidatePair: string | null;
}

/**
 * The werift side of one WHEP or WHIP session: the offer answered with the
 * payload formats we chose (every candidate in the answer), trickled
 * candidates, and the end of the session, whichever way it comes: the
 * caller, a DTLS close_notify, ICE failure (consent expired, RFC 7675), or
 * no connection within connectTimeout. Ending closes the peer connection,
 * which releases its sockets and timers.
 */
export class PeerSession {
  readonly id = crypto.randomUUID();
  /** One ICE session per WHIP/WHEP session (no restarts), so one entity tag (RFC 9725 4.3.1). */
  readonly etag = `"${crypto.randomUUID().slice(0, 8)}"`;
  readonly createdAt = Date.now();
  /** The client's ICE username fragment: a PATCH with another one is an ICE restart. */
  readonly remoteUfrag: string;
  state: PeerState = "connecting";
  connectedAt: number | undefined;
  closeReason: string | undefined;
  readonly pc: RTCPeerConnection;
  private readonly connectTimer: ReturnType<typeof setTimeout>;
  private firstMid: string | undefined;
  private sockets: SocketGuard | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    config: WebRtcConfig,
    offer: WhepOffer,
    chosen: readonly ChosenFormat[],
    private readonly hooks: PeerHooks,
    private readonly options: PeerOptions = {},
  ) {
    this.remoteUfrag = offer.iceUfrag;
    this.pc = new RTCPeerConnection(peerConfig(config, chosen, offer.sections));
    this.connectTimer = setTimeout(() => void this.close(`not connected within ${config.connectTimeout} s (ICE or DTLS)`), config.connectTimeout * 1000);
    this.pc.connectionStateChange.subscribe((s) => {
      if (s === "connected") this.onConnected();
      else if (s === "failed") void this.close("ICE or DTLS failed (no answer to connectivity checks for 30 s, RFC 7675)");
      else if (s === "closed") void this.close("closed");
    });
  }

  /**
   * Answers `sdp`: the sections in `chosen` get `direction` and are handed to
   * `prepare` (before the answer is made, so what it sets is in the answer),
   * the others are inactive. Resolves with the answer once gathering is done.
   */
  async answer<C extends ChosenFormat>(sdp: string, chosen: readonly C[], direction: "sendonly" | "recvonly", prepare: (t: RTCRtpTransceiver, c: C) => void): Promise<string> {
    await this.pc.setRemoteDescription({ type: "offer", sdp: filterOffer(sdp, new Map(chosen.map((c) => [c.section.index, c.codec.payloadType]))) });
    const transceivers = this.pc.getTransceivers();
    for (const c of chosen) {
      const t = transceivers.find((x) => x.mLineIndex === c.section.index);
      if (!t) throw new Error(`no transceiver for m-section ${c.section.index}`);
      t.setDirection(direction);
      this.firstMid ??= t.mid ?? undefined;
      prepare(t, c);
    }
    const used = new Set(chosen.map((c) => c.section.index));
    for (const t of transceivers) if (!used.has(t.mLineIndex ?? -1)) t.setDirection("inactive");
    await this.pc.setLocalDescription(await this.pc.createAnswer());
    // werift does not carry a DTLS close_notify into connectionState: watch the transport itself.
    for (const d of this.pc.dtlsTransports) {
      d.onStateChange.subscribe((s) => {
        if (s === "closed") void this.close("the peer closed the connection (DTLS close_notify)");
        else if (s === "failed") void this.close("DTLS failed");
      });
    }
    await this.gathered();
    this.sockets = guardSockets(this.pc, (e) => log.debug(`session ${this.id}: socket error ${e.message}`), this.options.orderedSends);
    if (this.sockets.sockets === 0) log.warn(`session ${this.id}: found no werift UDP socket to guard (werift changed?)`);
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

  /** A trickled candidate of the client (RFC 8840); the caller checked the ICE session. */
  async addCandidate(candidate: string, mid: string | undefined): Promise<void> {
    if (this.state === "closed") return;
    await this.pc.addIceCandidate({ candidate, sdpMid: mid ?? this.firstMid });
  }

  private onConnected(): void {
    if (this.state !== "connecting") return;
    this.state = "connected";
    this.connectedAt = Date.now();
    clearTimeout(this.connectTimer);
    this.hooks.connected();
  }

  /** Datagrams dropped because a serialized socket's queue was full. */
  get sendDrops(): number {
    return this.sockets?.dropped() ?? 0;
  }

  /** `host:port` of the client's end of the nominated pair. */
  remoteAddress(): string | undefined {
    const r = this.pc.iceTransports[0]?.connection.nominated?.remoteCandidate;
    return r ? `${r.host}:${r.port}` : undefined;
  }

  /** What WHEP and WHIP sessions both report about their connection. */
  info(): PeerInfo {
    return {
      id: this.id,
      state: this.state,
      createdAt: new Date(this.createdAt).toISOString(),
      connectedAt: this.connectedAt === undefined ? null : new Date(this.connectedAt).toISOString(),
      candidatePair: this.candidatePair(),
    };
  }

  /** The nominated ICE pair, `local -> remote (type)`, once there is one. */
  candidatePair(): string | null {
    const pair = this.state === "closed" ? undefined : this.pc.iceTransports[0]?.connection.nominated;
    if (!pair) return null;
    const l = pair.localCandidate;
    const r = pair.remoteCandidate;
    return `${l.host}:${l.port} (${l.type}) -> ${r.host}:${r.port} (${r.type})`;
  }

  /** Ends the session; safe to call more than once; resolves when werift has closed its sockets. */
  close(reason: string): Promise<void> {
    // pc.close() below fires connectionState "closed" synchronously, which calls back in here.
    if (this.state === "closed") return this.closing ?? Promise.resolve();
    this.state = "closed";
    this.closeReason = reason;
    clearTimeout(this.connectTimer);
    this.hooks.closed(reason);
    this.closing = this.pc.close().catch((e: unknown) => log.warn(`closing session ${this.id}: ${e instanceof Error ? e.message : String(e)}`));
    return this.closing;
  }
}
