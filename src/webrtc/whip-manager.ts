import type { WebRtcConfig } from "../config/schema.ts";
import { ParseError } from "../core/errors.ts";
import type { SourceManager } from "../ingest/source-manager.ts";
import { parseWhepOffer } from "./offer.ts";
import type { PeerOptions } from "./peer-session.ts";
import { planPublish } from "./whip-plan.ts";
import { WhipSession } from "./whip-session.ts";

export type PublishResult = { ok: true; session: WhipSession; answer: string } | { ok: false; status: 400 | 404 | 409 | 422 | 503; error: string };

/**
 * WHIP publishers (RFC 9725): an offer becomes a publisher of its path,
 * admitted like an RTSP or HTTP one (the path must take publishers; one at
 * a time unless overridePublisher).
 */
export class WhipManager {
  private readonly sessions = new Map<string, WhipSession>();

  constructor(
    private readonly sources: SourceManager,
    readonly config: WebRtcConfig,
    private readonly peerOptions: PeerOptions = {},
  ) {}

  get count(): number {
    return this.sessions.size;
  }

  list(): WhipSession[] {
    return [...this.sessions.values()];
  }

  get(id: string): WhipSession | undefined {
    return this.sessions.get(id);
  }

  /** `activeSessions`: WHEP sessions, which share webrtc.maxSessions. */
  async create(path: string, sdp: string, remote: string, activeSessions: number): Promise<PublishResult> {
    let offer;
    try {
      offer = parseWhepOffer(sdp);
    } catch (e) {
      if (e instanceof ParseError) return { ok: false, status: 400, error: e.message };
      throw e;
    }
    const plan = planPublish(offer);
    if (plan.take.length === 0) {
      return { ok: false, status: 422, error: `nothing in the offer can be taken: ${plan.ignored.map((i) => `${i.kind} m-section ${i.index}: ${i.reason}`).join("; ")}` };
    }
    if (this.sessions.size + activeSessions >= this.config.maxSessions) {
      return { ok: false, status: 503, error: `${this.config.maxSessions} WebRTC sessions already (webrtc.maxSessions)` };
    }
    const admitted = this.sources.admit(
      path,
      remote,
      (stream) =>
        new WhipSession(
          stream,
          remote,
          plan,
          this.config,
          offer,
          (s, reason) => this.sources.end(s, reason),
          (s) => this.sessions.delete(s.id),
          this.peerOptions,
        ),
    );
    if (!(admitted instanceof WhipSession)) return { ok: false, ...admitted };
    this.sessions.set(admitted.id, admitted);
    try {
      return { ok: true, session: admitted, answer: await admitted.answer(sdp) };
    } catch (e) {
      const reason = `the offer could not be answered: ${e instanceof Error ? e.message : String(e)}`;
      this.sources.end(admitted, reason);
      return { ok: false, status: 400, error: reason };
    }
  }

  /** Ends a session from the client's DELETE: the publisher leaves its path. */
  end(session: WhipSession, reason: string): void {
    this.sources.end(session, reason);
  }

  /** Ends every publisher and waits until their sockets are released. */
  async closeAll(reason: string): Promise<void> {
    const sessions = this.list();
    for (const s of sessions) this.sources.end(s, reason);
    await Promise.all(sessions.map((s) => s.peer.close(reason)));
  }
}
