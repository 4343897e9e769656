import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ParseError } from "../src/core/errors.ts";
import type { Stream } from "../src/core/stream.ts";
import { isValidStreamPath } from "../src/stream-path.ts";
import { iceServerLinks } from "../src/webrtc/ice-links.ts";
import { MAX_OFFER_BYTES } from "../src/webrtc/offer.ts";
import type { PeerSession } from "../src/webrtc/peer-session.ts";
import { MAX_FRAGMENT_BYTES, parseIceFragment } from "../src/webrtc/trickle.ts";
import type { WhepManager } from "../src/webrtc/whep-manager.ts";
import type { WhipManager } from "../src/webrtc/whip-manager.ts";
import { remoteAddress } from "./authorize.ts";
import { problem } from "./problem.ts";
import { whepPlayerPage } from "./whep-player.ts";
import { whipPublisherPage } from "./whip-publisher.ts";

const ENDPOINT = /^\/(.+)\/(whep|whip)$/;
const SESSION = /^\/(.+)\/(whep|whip)\/sessions\/([0-9a-f-]{36})$/;
const PAGE = /^\/(.+)\/(webrtc|publish)$/;
const TRICKLE_TYPE = "application/trickle-ice-sdpfrag";

/** What the session routes need of a WHEP viewer or a WHIP publisher. */
interface SignalledSession {
  readonly peer: PeerSession;
  readonly stream: Stream;
  info(): object;
}

function mediaType(c: Context): string {
  return (c.req.header("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
}

function tooLarge(limit: number) {
  return bodyLimit({ maxSize: limit, onError: (c) => problem(c, 413, `the body is larger than ${limit} bytes`) });
}

/**
 * WHEP (draft-ietf-wish-whep) and WHIP (RFC 9725): POST an offer to
 * /<path>/whep (play) or /<path>/whip (publish), get 201 with the answer and
 * the session URL; PATCH trickles candidates; DELETE ends it; GET tells
 * what is sent or taken. CORS (preflight, exposed Location/ETag/Link) and
 * authorization (read or publish on the path for the offer; the session URL
 * itself is the capability for PATCH/DELETE, RFC 9725 4.1) are app-wide
 * middleware. /<path>/webrtc and /<path>/publish are pages that use them.
 */
export function webrtcRoutes(whep: WhepManager, whip: WhipManager): Hono {
  const app = new Hono();
  const sessionOf = (c: Context): { kind: string; session: SignalledSession } | undefined => {
    const m = SESSION.exec(new URL(c.req.url).pathname);
    if (!m) return undefined;
    const session: SignalledSession | undefined = m[2] === "whep" ? whep.get(m[3]!) : whip.get(m[3]!);
    return session && session.stream.path === m[1] ? { kind: m[2]!, session } : undefined;
  };

  app.get("/v1/webrtc/sessions", (c) =>
    c.json({ sessions: whep.list().map((s) => s.info()), publishers: whip.list().map((s) => s.info()) }, 200, { "Cache-Control": "no-store" }),
  );

  // Bodies are read through a limit, so a chunked upload without Content-Length cannot grow without bound.
  const offerLimit = tooLarge(MAX_OFFER_BYTES);
  const fragmentLimit = tooLarge(MAX_FRAGMENT_BYTES);
  app.on(["POST", "PATCH"], "/*", (c, next) => {
    const pathname = new URL(c.req.url).pathname;
    if (ENDPOINT.test(pathname)) return offerLimit(c, next);
    if (SESSION.test(pathname)) return fragmentLimit(c, next);
    return next();
  });

  app.on(["POST", "GET", "PUT", "PATCH", "DELETE"], "/*", async (c, next) => {
    const pathname = new URL(c.req.url).pathname;
    const endpoint = ENDPOINT.exec(pathname);
    if (endpoint) {
      if (c.req.method !== "POST") {
        c.header("Allow", "OPTIONS, POST");
        return problem(c, 405, `a ${endpoint[2]!.toUpperCase()} endpoint takes POST with an SDP offer`);
      }
      return offer(c, endpoint[1]!, endpoint[2] as "whep" | "whip");
    }
    if (SESSION.test(pathname)) {
      const found = sessionOf(c);
      if (!found) return problem(c, 404, "no such WebRTC session (it ended, or never was)");
      const { kind, session } = found;
      if (c.req.method === "GET") return c.json(session.info(), 200, { "Cache-Control": "no-store" });
      if (c.req.method === "DELETE") {
        const reason = "DELETE from the client";
        if (kind === "whip") whip.end(whip.get(session.peer.id)!, reason);
        await session.peer.close(reason);
        return c.json(session.info(), 200);
      }
      if (c.req.method === "PATCH") return trickle(c, session.peer);
      c.header("Allow", "GET, PATCH, DELETE");
      return problem(c, 405, `${c.req.method} is not a method of a WebRTC session`);
    }
    const page = c.req.method === "GET" ? PAGE.exec(pathname) : null;
    if (page && isValidStreamPath(page[1]!)) {
      const body = page[2] === "webrtc" ? whepPlayerPage : whipPublisherPage;
      return c.body(body as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
    }
    return next();
  });

  async function offer(c: Context, path: string, kind: "whep" | "whip"): Promise<Response> {
    if (!isValidStreamPath(path)) return problem(c, 400, `"${path.slice(0, 80)}" is not a valid stream path`);
    // Read (WHEP) or publish (WHIP) permission on the path was checked by the authorize middleware (docs/auth.md).
    if (mediaType(c) !== "application/sdp") return problem(c, 415, `send the SDP offer as application/sdp, not "${mediaType(c).slice(0, 60)}"`);
    const sdp = await c.req.text();
    const remote = remoteAddress(c);
    const result = kind === "whep" ? await whep.create(path, sdp, remote || undefined, whip.count) : await whip.create(path, sdp, remote || "webrtc publisher", whep.count);
    if (!result.ok) {
      return c.json({ error: result.error, ...("leftOut" in result && result.leftOut ? { leftOut: result.leftOut } : {}) }, result.status, { "Cache-Control": "no-store" });
    }
    const { session, answer } = result;
    for (const link of iceServerLinks(whep.config.clientIceServers)) c.header("Link", link, { append: true });
    return c.body(answer, 201, {
      "Content-Type": "application/sdp",
      Location: `/${path}/${kind}/sessions/${session.id}`,
      ETag: session.peer.etag,
      "Accept-Patch": TRICKLE_TYPE,
      "Cache-Control": "no-store",
    });
  }

  async function trickle(c: Context, peer: PeerSession): Promise<Response> {
    if (mediaType(c) !== TRICKLE_TYPE) return problem(c, 415, `PATCH takes ${TRICKLE_TYPE}`);
    const ifMatch = c.req.header("If-Match");
    if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== peer.etag) {
      return problem(c, 412, `If-Match ${ifMatch.slice(0, 40)} is not this session's ICE entity tag ${peer.etag}`);
    }
    const body = await c.req.text();
    let fragment;
    try {
      fragment = parseIceFragment(body);
    } catch (e) {
      if (e instanceof ParseError) return problem(c, 400, e.message);
      throw e;
    }
    // RFC 9725 4.3.1: trickle is supported, ICE restart is not, so a restart gets 422.
    if (fragment.ufrag !== undefined && fragment.ufrag !== peer.remoteUfrag) {
      return problem(c, 422, "ICE restarts are not supported: DELETE this session and POST a new offer");
    }
    for (const cand of fragment.candidates) {
      // mDNS names would open a multicast socket per session; the client's checks reach us anyway.
      if (/ \S+\.local /i.test(cand.candidate)) continue;
      await peer.addCandidate(cand.candidate, cand.mid);
    }
    return c.body(null, 204);
  }

  return app;
}
