import { logger } from "../../core/log.ts";
import type { StreamRegistry } from "../../core/registry.ts";
import type { Stream } from "../../core/stream.ts";
import type { Credentials } from "../../auth/basic.ts";
import type { TcpPeer } from "../../runtime/tcp-server.ts";
import type { UdpSocket } from "../../runtime/udp-socket.ts";
import { formatRtpInfo, formatSession, formatTransport, parseTransport } from "../headers.ts";
import { RtspHeaders, type RtspRequest, serializeResponse } from "../message.ts";
import { interleavedFrame } from "../interleaved.ts";
import { RtspReader } from "../reader.ts";
import { generateSessionDescription } from "../sdp-generate.ts";
import { isValidStreamPath } from "../../stream-path.ts";
import { ReaderSession, type SetupTrack } from "./reader-session.ts";
import { RtpSender } from "./rtp-sender.ts";
import type { ServerAuth } from "./server-auth.ts";
import { trackMedia } from "./track-sdp.ts";

const log = logger("rtsp-server");
/** Seconds a session lives without a request (RFC 2326 12.37's default). */
export const SESSION_TIMEOUT_S = 60;
const PUBLIC = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER";
const TRACK_CONTROL = /\/trackID=(\d{1,3})$/;

export interface ServerContextForRtsp {
  readonly registry: StreamRegistry;
  readonly auth: ServerAuth;
  /** Credentials a reader of `path` must give, if any. */
  readCredentials(path: string): Credentials | undefined;
  readonly rtp: UdpSocket | undefined;
  readonly rtcp: UdpSocket | undefined;
  readonly rtpPort: number;
  readonly rtcpPort: number;
}

class RtspError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** The path a request URI names: "rtsp://host:port/cam/1/trackID=0" → "cam/1". */
function pathOf(uri: string): { path: string; track?: number } {
  let pathname: string;
  try {
    pathname = uri.startsWith("/") ? uri : new URL(uri).pathname;
  } catch {
    throw new RtspError(400, "Bad Request", `"${uri.slice(0, 80)}" is not a URL`);
  }
  pathname = pathname.replace(/\/+$/, "");
  const m = TRACK_CONTROL.exec(pathname);
  const path = (m ? pathname.slice(0, m.index) : pathname).replace(/^\/+/, "");
  if (!isValidStreamPath(path)) throw new RtspError(400, "Bad Request", `"${path.slice(0, 80)}" is not a valid stream path`);
  return { path, track: m ? Number(m[1]) : undefined };
}

/** One client connection of the RTSP server: requests, its session, and its reader. */
export class RtspServerConnection {
  private readonly reader = new RtspReader();
  private sessionId: string | undefined;
  private stream: Stream | undefined;
  private readonly setup = new Map<number, SetupTrack>();
  private playing: ReaderSession | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly peer: TcpPeer,
    private readonly ctx: ServerContextForRtsp,
  ) {
    this.touch();
  }

  onData(chunk: Uint8Array): void {
    const skipped = this.reader.stats.bytesSkipped;
    const items = this.reader.push(chunk);
    // Bytes that are no request at all (the reader skips them to resync): RFC 2326 11.4.1 says 400.
    if (this.reader.stats.bytesSkipped > skipped && items.length === 0) this.reply(400, "Bad Request", undefined, { "X-Error": "not an RTSP request" });
    for (const item of items) {
      if (item.kind === "request") this.handle(item.request);
      else if (item.kind === "error") this.reply(400, "Bad Request", undefined, { "X-Error": item.error.message.slice(0, 200) });
      // Interleaved RTCP receiver reports from readers keep the session alive; nothing else to do with them.
      else if (item.kind === "interleaved") this.touch();
    }
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.playing?.close();
    this.playing = undefined;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      log.info(`${this.peer.remoteAddress}: session idle for ${SESSION_TIMEOUT_S} s, closing`);
      this.close();
      this.peer.close();
    }, SESSION_TIMEOUT_S * 1000 * (this.playing ? 1.5 : 1));
  }

  private handle(req: RtspRequest): void {
    this.touch();
    const cseq = req.headers.get("CSeq");
    try {
      switch (req.method) {
        case "OPTIONS":
          return this.reply(200, "OK", cseq, { Public: PUBLIC });
        case "DESCRIBE":
          return this.describe(req, cseq);
        case "SETUP":
          return this.setupTrack(req, cseq);
        case "PLAY":
          return this.play(req, cseq);
        case "TEARDOWN":
          this.close();
          this.setup.clear();
          this.sessionId = undefined;
          return this.reply(200, "OK", cseq);
        case "GET_PARAMETER":
          this.checkSession(req);
          return this.reply(200, "OK", cseq);
        case "ANNOUNCE":
        case "RECORD":
          return this.reply(501, "Not Implemented", cseq, { "X-Error": "publishing over RTSP is not supported yet" });
        default:
          return this.reply(405, "Method Not Allowed", cseq, { Allow: PUBLIC });
      }
    } catch (e) {
      if (e instanceof RtspError) {
        if (e.status === 401) return this.reply(401, "Unauthorized", cseq, {}, this.ctx.auth.challenges(e.reason === "stale"));
        return this.reply(e.status, e.reason, cseq, { "X-Error": e.message.slice(0, 200) });
      }
      log.error(`${this.peer.remoteAddress}: ${req.method} ${req.uri}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return this.reply(500, "Internal Server Error", cseq);
    }
  }

  private authorize(req: RtspRequest, path: string): void {
    const expected = this.ctx.readCredentials(path);
    if (!expected) return;
    const result = this.ctx.auth.check(req.headers.get("Authorization"), req.method, expected);
    if (result !== "ok") throw new RtspError(401, result === "stale" ? "stale" : "Unauthorized", "credentials needed");
  }

  private streamFor(req: RtspRequest): { stream: Stream; track?: number } {
    const { path, track } = pathOf(req.uri);
    this.authorize(req, path);
    const stream = this.ctx.registry.get(path);
    if (!stream || stream.tracks.filter(Boolean).length === 0) throw new RtspError(404, "Not Found", `no stream named "${path}"`);
    return { stream, track };
  }

  private describe(req: RtspRequest, cseq: string | undefined): void {
    const { stream } = this.streamFor(req);
    const media = stream.tracks.filter(Boolean).flatMap((t) => trackMedia(t) ?? []);
    if (media.length === 0) throw new RtspError(404, "Not Found", `stream "${stream.path}" has no track RTP can carry`);
    const sdp = new TextEncoder().encode(generateSessionDescription({ media, sessionName: stream.path, control: "*" }));
    const base = req.uri.endsWith("/") ? req.uri : `${req.uri}/`;
    this.reply(200, "OK", cseq, { "Content-Base": base, "Content-Type": "application/sdp" }, [], sdp);
  }

  private checkSession(req: RtspRequest): void {
    const given = req.headers.get("Session")?.split(";")[0].trim();
    if (given !== undefined && this.sessionId !== undefined && given !== this.sessionId) throw new RtspError(454, "Session Not Found", `no session "${given.slice(0, 40)}"`);
    if (given !== undefined && this.sessionId === undefined) throw new RtspError(454, "Session Not Found", `no session "${given.slice(0, 40)}"`);
  }

  private setupTrack(req: RtspRequest, cseq: string | undefined): void {
    this.checkSession(req);
    if (this.playing) throw new RtspError(455, "Method Not Valid in This State", "SETUP while playing");
    const { stream, track: trackId } = this.streamFor(req);
    if (this.stream && this.stream !== stream) throw new RtspError(459, "Aggregate Operation Not Allowed", "one stream per session");
    const track = trackId === undefined ? stream.tracks.find(Boolean) : stream.tracks[trackId];
    const media = track ? trackMedia(track) : undefined;
    if (!track || !media) throw new RtspError(404, "Not Found", `no track ${trackId ?? 0} in "${stream.path}"`);
    const offers = parseTransport(req.headers.get("Transport") ?? "");
    const offer = offers.find((t) => t.lowerTransport === "TCP" && t.interleaved) ?? offers.find((t) => t.lowerTransport === "UDP" && t.clientPort && t.delivery !== "multicast");
    if (!offer) throw new RtspError(461, "Unsupported Transport", "we take RTP/AVP/TCP with interleaved= or RTP/AVP unicast with client_port=");
    const sender = new RtpSender(track, media.payloadType, media.clockRate);
    let answer;
    if (offer.lowerTransport === "TCP") {
      const [rtp, rtcp] = offer.interleaved!;
      this.setup.set(track.id, { sender, delivery: { kind: "tcp", rtpChannel: rtp } });
      answer = { profile: offer.profile, lowerTransport: "TCP" as const, delivery: "unicast" as const, interleaved: [rtp, rtcp] as [number, number], ssrc: sender.ssrc };
    } else {
      if (!this.ctx.rtp) throw new RtspError(461, "Unsupported Transport", "RTP over UDP is off; use TCP");
      const [rtpPort, rtcpPort] = offer.clientPort!;
      this.setup.set(track.id, { sender, delivery: { kind: "udp", host: this.peer.remoteAddress.replace(/^::ffff:/, ""), rtpPort, rtcpPort } });
      answer = {
        profile: offer.profile,
        lowerTransport: "UDP" as const,
        delivery: "unicast" as const,
        clientPort: [rtpPort, rtcpPort] as [number, number],
        serverPort: [this.ctx.rtpPort, this.ctx.rtcpPort] as [number, number],
        ssrc: sender.ssrc,
      };
    }
    this.stream = stream;
    this.sessionId ??= crypto.randomUUID().replace(/-/g, "").slice(0, 16);
    this.reply(200, "OK", cseq, { Transport: formatTransport(answer), Session: formatSession({ id: this.sessionId, timeout: SESSION_TIMEOUT_S }) });
  }

  private play(req: RtspRequest, cseq: string | undefined): void {
    this.checkSession(req);
    if (!this.stream || this.setup.size === 0 || !this.sessionId) throw new RtspError(455, "Method Not Valid in This State", "PLAY before SETUP");
    this.authorize(req, this.stream.path);
    const base = req.uri.replace(/\/+$/, "");
    const rtpInfo = [...this.setup.entries()].map(([id, t]) => ({ url: `${base}/trackID=${id}`, seq: t.sender.firstSequence }));
    // The answer goes out first: media sent before it would reach a client not yet ready for it.
    this.reply(200, "OK", cseq, { Session: formatSession({ id: this.sessionId, timeout: SESSION_TIMEOUT_S }), Range: "npt=now-", "RTP-Info": formatRtpInfo(rtpInfo) });
    if (!this.playing) {
      const out = {
        get pendingBytes() {
          return peer.pendingBytes;
        },
        writeInterleaved: (channel: number, payload: Uint8Array) => peer.write(interleavedFrame(channel, payload)),
        rtp: this.ctx.rtp,
        rtcp: this.ctx.rtcp,
      };
      const peer = this.peer;
      this.playing = new ReaderSession(this.stream, this.setup, out, () => {
        log.warn(`${peer.remoteAddress}: reader of "${this.stream?.path}" stalled, closing`);
        peer.close();
      });
    }
  }

  private reply(status: number, reason: string, cseq: string | undefined, extra: Record<string, string> = {}, authenticate: string[] = [], body?: Uint8Array): void {
    const headers = new RtspHeaders();
    if (cseq !== undefined) headers.set("CSeq", cseq);
    headers.set("Server", "mediaserver");
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    for (const a of authenticate) headers.append("WWW-Authenticate", a);
    this.peer.write(serializeResponse({ status, reason, headers, body: body ?? new Uint8Array(0) }));
  }
}
