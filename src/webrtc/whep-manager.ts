import type { WebRtcConfig } from "../config/schema.ts";
import { ParseError } from "../core/errors.ts";
import { logger } from "../core/log.ts";
import type { StreamRegistry } from "../core/registry.ts";
import type { Stream } from "../core/stream.ts";
import { parseWhepOffer } from "./offer.ts";
import type { PeerOptions } from "./peer-session.ts";
import { reorderProblem } from "./reordering.ts";
import { type LeftOutTrack, planSession } from "./session-plan.ts";
import { WhepSession } from "./whep-session.ts";

const log = logger("whep");

/** How long an offer waits for a stream with no tracks yet (an on-demand camera being dialled). */
const TRACK_WAIT_MS = 10_000;

export type CreateResult =
  | { ok: true; session: WhepSession; answer: string }
  | { ok: false; status: 400 | 404 | 422 | 503; error: string; leftOut?: LeftOutTrack[] };

/** Resolves true once the stream has a track, false after `ms` or when the reader closes. */
async function waitForTracks(stream: Stream, ms: number, remote: string | undefined): Promise<boolean> {
  if (stream.tracks.some(Boolean)) return true;
  // A reader of our own, so an on-demand source is dialled while we wait.
  const reader = stream.addReader("webrtc", remote);
  const deadline = Date.now() + ms;
  try {
    while (!stream.tracks.some(Boolean) && !reader.closed) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([reader.wait(), new Promise((r) => (timer = setTimeout(r, Math.min(left, 250))))]);
      clearTimeout(timer);
    }
    return stream.tracks.some(Boolean);
  } finally {
    reader.close("webrtc: tracks known");
  }
}

/** The WHEP sessions of this server: created from offers, found by id, all closed at shutdown. */
export class WhepManager {
  private readonly sessions = new Map<string, WhepSession>();
  /** Offers being answered count against maxSessions too, so a burst cannot overshoot it. */
  private pending = 0;

  constructor(
    private readonly registry: StreamRegistry,
    readonly config: WebRtcConfig,
    private readonly peerOptions: PeerOptions = {},
  ) {}

  get count(): number {
    return this.sessions.size;
  }

  list(): WhepSession[] {
    return [...this.sessions.values()];
  }

  get(id: string): WhepSession | undefined {
    return this.sessions.get(id);
  }

  /** `remote`: the HTTP client's address, shown for the session's reader until ICE picks the viewer's; `otherSessions`: WHIP ones, which share maxSessions. */
  async create(path: string, sdp: string, remote?: string, otherSessions = 0): Promise<CreateResult> {
    let offer;
    try {
      offer = parseWhepOffer(sdp);
    } catch (e) {
      if (e instanceof ParseError) return { ok: false, status: 400, error: e.message };
      throw e;
    }
    const stream = this.registry.get(path);
    if (!stream) return { ok: false, status: 404, error: `no stream named "${path}"` };
    if (this.sessions.size + this.pending + otherSessions >= this.config.maxSessions) {
      return { ok: false, status: 503, error: `${this.config.maxSessions} WebRTC sessions already (webrtc.maxSessions)` };
    }
    this.pending++;
    try {
      if (!(await waitForTracks(stream, TRACK_WAIT_MS, remote))) {
        return { ok: false, status: 503, error: `stream "${path}" has no tracks yet (its source is not delivering)` };
      }
      const plan = planSession(stream.tracks, offer, (t) => reorderProblem(t, stream.ring));
      if (plan.send.length === 0) {
        const why = plan.leftOut.map((l) => `track ${l.id} (${l.codec}): ${l.reason}`).join("; ");
        return { ok: false, status: 422, error: `nothing in stream "${path}" can be sent for this offer: ${why}`, leftOut: plan.leftOut };
      }
      let created;
      try {
        created = await WhepSession.create(stream, sdp, offer, plan, this.config, remote, (s) => this.sessions.delete(s.id), this.peerOptions);
      } catch (e) {
        return { ok: false, status: 400, error: `the offer could not be answered: ${e instanceof Error ? e.message : String(e)}` };
      }
      this.sessions.set(created.session.id, created.session);
      log.debug(`session ${created.session.id} on "${path}": ${plan.send.map((p) => p.track.codec).join(" + ")}`);
      return { ok: true, ...created };
    } finally {
      this.pending--;
    }
  }

  /** Closes every session and waits until their sockets are released. */
  async closeAll(reason: string): Promise<void> {
    await Promise.all(this.list().map((s) => s.close(reason)));
  }
}
