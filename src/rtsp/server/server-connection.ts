import { ParseError } from "../../core/errors.ts";
import { logger } from "../../core/log.ts";
import type { StreamRegistry } from "../../core/registry.ts";
import type { Stream } from "../../core/stream.ts";
import type { AuthDecision, AuthRequest } from "../../auth/authorizer.ts";
import { type Credentials, parseBasicAuthorization } from "../../auth/basic.ts";
import type { Refusal } from "../../ingest/publisher.ts";
import type { TcpPeer } from "../../runtime/tcp-server.ts";
import type { UdpSocket } from "../../runtime/udp-socket.ts";
import { formatRtpInfo, formatSession, formatTransport, parseTransport, type Transport } from "../headers.ts";
import { RtspHeaders, type RtspRequest, serializeResponse } from "../message.ts";
import { interleavedFrame } from "../interleaved.ts";
import { RtspReader } from "../reader.ts";
import { parseSessionDescription } from "../sdp.ts";
import { generateSessionDescription } from "../sdp-generate.ts";
import { isValidStreamPath } from "../../stream-path.ts";
import { ReaderSession, type SetupTrack } from "./reader-session.ts";
import { checkAnnouncedMedia, RecordSession } from "./record-session.ts";
import { RtpSender } from "./rtp-sender.ts";
import type { ServerAuth } from "./server-auth.ts";
import { trackMedia } from "./track-sdp.ts";

const log = logger("rtsp-server");
const PUBLIC = "OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, TEARDOWN, GET_PARAMETER";
const REASONS: Record<number, string> = { 404: "Not Found", 409: "Conflict" };
const TRACK_CONTROL = /\/trackID=(\d{1,3})$/;
/** Requests waiting for their answer on one connection (slow credential checks): a client that pipelines more is cut off. */
const MAX_QUEUED_REQUESTS = 32;

export interface ServerContextForRtsp {
  readonly registry: StreamRegistry;
  /** Seconds a session lives without a request or packet (RFC 2326 12.37). */
  readonly sessionTimeout: number;
  readonly auth: ServerAuth;
  /** May this reader or publisher go on? (Basic credentials, or Digest ones once verified.) */
  authorize(request: AuthRequest): Promise<AuthDecision>;
  /** The password Digest needs to verify `user`, if one is known for that. */
  digestPassword(user: string, action: "read" | "publish", path: string): string | undefined;
  /** Admits a publisher (one per path unless overridePublisher), or says why not. */
  admitPublisher(path: string, remote: string, create: (stream: Stream) => RecordSession): RecordSession | Refusal;
  endPublisher(publisher: RecordSession, reason: string): void;
  /** "address:port" of a publisher's RTP or RTCP socket → where its datagrams go (RTP over UDP, RECORD). */
  readonly udpRoutes: Map<string, (bytes: Uint8Array) => void>;
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
  /** Publishing: the announced session, its interleaved channels and UDP routes. */
  private record: RecordSession | undefined;
  private readonly recordChannels = new Map<number, { index: number; rtcp: boolean }>();
  private readonly routes = new Set<string>();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Requests are answered one after another, in order. */
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastActivity = 0;

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
    if (this.reader.stats.bytesSkipped > skipped && items.length === 0) this.answerInOrder(() => this.reply(400, "Bad Request", undefined, { "X-Error": "not an RTSP request" }));
    for (const item of items) {
      if (item.kind === "request") {
        const req = item.request;
        this.answerInOrder(() => this.handle(req));
      } else if (item.kind === "error") {
        const message = item.error.message.slice(0, 200);
        this.answerInOrder(() => this.reply(400, "Bad Request", undefined, { "X-Error": message }));
      } else if (item.kind === "interleaved") {
        // A publisher's media; from readers, RTCP receiver reports that only keep the session alive.
        this.touch();
        const to = this.recordChannels.get(item.channel);
        if (to && this.record) to.rtcp ? this.record.rtcp(to.index, item.payload) : this.record.rtp(to.index, item.payload);
      }
    }
  }

  /** Answers go out in request order even when checking credentials takes a while (scrypt, a hook, a JWKS fetch). */
  private answerInOrder(answer: () => void | Promise<void>): void {
    if (this.queued === MAX_QUEUED_REQUESTS) {
      log.warn(`${this.peer.remoteAddress}: more than ${MAX_QUEUED_REQUESTS} requests waiting for an answer, closing`);
      this.close();
      this.peer.close();
    }
    if (this.queued >= MAX_QUEUED_REQUESTS) return;
    this.queued++;
    this.queue = this.queue.then(answer).finally(() => this.queued--);
  }

  close(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.playing?.close();
    this.playing = undefined;
    this.endRecord("the publisher left");
  }

  private endRecord(reason: string): void {
    const record = this.record;
    this.record = undefined;
    for (const key of this.routes) this.ctx.udpRoutes.delete(key);
    this.routes.clear();
    this.recordChannels.clear();
    if (record) this.ctx.endPublisher(record, reason);
  }

  /** Called for every request and every packet: only notes the time; the timer re-arms itself when it fires early. */
  private touch(): void {
    this.lastActivity = Date.now();
    this.idleTimer ??= setTimeout(() => this.checkIdle(), this.idleLimitMs());
  }

  private idleLimitMs(): number {
    return this.ctx.sessionTimeout * 1000 * (this.playing ? 1.5 : 1);
  }

  private checkIdle(): void {
    const left = this.lastActivity + this.idleLimitMs() - Date.now();
    if (left > 0) {
      this.idleTimer = setTimeout(() => this.checkIdle(), left);
      return;
    }
    log.info(`${this.peer.remoteAddress}: session idle for ${this.idleLimitMs() / 1000} s, closing`);
    this.close();
    this.peer.close();
  }

  private async handle(req: RtspRequest): Promise<void> {
    this.touch();
    const cseq = req.headers.get("CSeq");
    try {
      const need = this.permissionNeeded(req);
      if (need) await this.authorize(req, need.action, need.path);
      switch (req.method) {
        case "OPTIONS":
          return this.reply(200, "OK", cseq, { Public: PUBLIC });
        case "DESCRIBE":
          return this.describe(req, cseq);
        case "SETUP":
          return this.setupTrack(req, cseq);
        case "PLAY":
          return this.play(req, cseq);
        case "ANNOUNCE":
          return this.announce(req, cseq);
        case "RECORD":
          return this.startRecord(req, cseq);
        case "TEARDOWN":
          this.close();
          this.setup.clear();
          this.sessionId = undefined;
          return this.reply(200, "OK", cseq);
        case "GET_PARAMETER":
          this.checkSession(req);
          return this.reply(200, "OK", cseq);
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

  /** What a request asks to do, and on which path; undefined for OPTIONS, GET_PARAMETER, TEARDOWN. */
  private permissionNeeded(req: RtspRequest): { action: "read" | "publish"; path: string } | undefined {
    switch (req.method) {
      case "DESCRIBE":
        return { action: "read", path: pathOf(req.uri).path };
      case "PLAY":
        return { action: "read", path: this.stream?.path ?? pathOf(req.uri).path };
      case "SETUP":
        return this.record ? { action: "publish", path: this.record.stream.path } : { action: "read", path: pathOf(req.uri).path };
      case "ANNOUNCE":
        return { action: "publish", path: pathOf(req.uri).path };
      case "RECORD":
        return this.record ? { action: "publish", path: this.record.stream.path } : undefined;
      default:
        return undefined;
    }
  }

  /** Basic, or Digest (RFC 2617) verified with the password the server knows for that user; then the authorizer decides. */
  private async authorize(req: RtspRequest, action: "read" | "publish", path: string): Promise<void> {
    const header = req.headers.get("Authorization");
    let basic: Credentials | undefined;
    const digestUser = this.ctx.auth.digestUser(header);
    if (digestUser !== undefined) {
      const password = this.ctx.digestPassword(digestUser, action, path);
      const verdict = password === undefined ? "denied" : this.ctx.auth.check(header, req.method, { user: digestUser, password });
      if (verdict !== "ok") throw new RtspError(401, verdict === "stale" ? "stale" : "Unauthorized", "wrong credentials");
      basic = { user: digestUser, password: password! };
    } else {
      basic = parseBasicAuthorization(header);
    }
    const decision = await this.ctx.authorize({ action, path, protocol: "rtsp", ip: this.peer.remoteAddress, basic });
    if (!decision.ok) throw new RtspError(decision.status, decision.status === 403 ? "Forbidden" : "Unauthorized", decision.reason);
  }

  private streamFor(req: RtspRequest): { stream: Stream; track?: number } {
    const { path, track } = pathOf(req.uri);
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

  /** ANNOUNCE (RFC 2326 10.3): a publisher describes what it will RECORD to this path. */
  private announce(req: RtspRequest, cseq: string | undefined): void {
    if (this.record || this.stream) throw new RtspError(455, "Method Not Valid in This State", "this connection already has a session");
    const { path, track } = pathOf(req.uri);
    if (track !== undefined) throw new RtspError(400, "Bad Request", "ANNOUNCE names a stream, not a track");
    const type = req.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase();
    if (type !== undefined && type !== "application/sdp") throw new RtspError(415, "Unsupported Media Type", `the body must be application/sdp, not ${type.slice(0, 60)}`);
    if (!req.body || req.body.length === 0) throw new RtspError(400, "Bad Request", "ANNOUNCE without an SDP body");
    let sdp;
    try {
      sdp = parseSessionDescription(new TextDecoder().decode(req.body));
      checkAnnouncedMedia(sdp);
    } catch (e) {
      if (e instanceof ParseError) throw new RtspError(400, "Bad Request", `SDP: ${e.message}`);
      throw e;
    }
    const skipped = sdp.skipped.map((s) => `media ${s.index}: ${s.reason}`).join("; ");
    if (sdp.media.length === 0) throw new RtspError(415, "Unsupported Media Type", `no track we can take (${skipped})`);
    if (skipped) log.info(`${path}: ${this.peer.remoteAddress} announced media we skip: ${skipped}`);
    const remote = this.peer.remoteAddress;
    const admitted = this.ctx.admitPublisher(path, remote, (stream) => new RecordSession(stream, remote, sdp, req.uri, () => this.peer.close()));
    if (!(admitted instanceof RecordSession)) throw new RtspError(admitted.status, REASONS[admitted.status] ?? "Refused", admitted.error);
    this.record = admitted;
    this.reply(200, "OK", cseq);
  }

  /** SETUP of an announced track, mode=record (RFC 2326 12.39): where the publisher's RTP will arrive. */
  private setupRecord(req: RtspRequest, cseq: string | undefined, record: RecordSession): void {
    if (record.recording) throw new RtspError(455, "Method Not Valid in This State", "SETUP while recording");
    const index = record.trackFor(req.uri);
    if (index === undefined) throw new RtspError(404, "Not Found", `no announced track at ${req.uri.slice(0, 120)}`);
    const offers = parseTransport(req.headers.get("Transport") ?? "");
    const offer = offers.find((t) => t.lowerTransport === "TCP") ?? offers.find((t) => t.lowerTransport === "UDP" && t.clientPort && t.delivery !== "multicast");
    if (!offer) throw new RtspError(461, "Unsupported Transport", "we take RTP/AVP/TCP, or RTP/AVP unicast with client_port=");
    let answer;
    if (offer.lowerTransport === "TCP") {
      const [rtp, rtcp] = offer.interleaved ?? [2 * index, 2 * index + 1];
      this.recordChannels.set(rtp, { index, rtcp: false });
      this.recordChannels.set(rtcp, { index, rtcp: true });
      answer = { profile: offer.profile, lowerTransport: "TCP" as const, delivery: "unicast" as const, interleaved: [rtp, rtcp] as [number, number], mode: "RECORD" };
    } else {
      if (!this.ctx.rtp) throw new RtspError(461, "Unsupported Transport", "RTP over UDP is off; use TCP");
      const host = this.peer.remoteAddress.replace(/^::ffff:/, "");
      const [rtpPort, rtcpPort] = offer.clientPort!;
      const routes: [string, (b: Uint8Array) => void][] = [
        [`${host}:${rtpPort}`, (b) => (this.touch(), record.rtp(index, b))],
        [`${host}:${rtcpPort}`, (b) => record.rtcp(index, b)],
      ];
      for (const [key, fn] of routes) {
        this.ctx.udpRoutes.set(key, fn);
        this.routes.add(key);
      }
      answer = this.udpAnswer(offer.profile, [rtpPort, rtcpPort], { mode: "RECORD" });
    }
    record.setup(index, offer.lowerTransport === "TCP");
    this.sessionId ??= crypto.randomUUID().replace(/-/g, "").slice(0, 16);
    this.reply(200, "OK", cseq, { Transport: formatTransport(answer), Session: this.sessionHeader() });
  }

  /** RECORD (RFC 2326 10.11): the publisher's media flows from now on. */
  private startRecord(req: RtspRequest, cseq: string | undefined): void {
    this.checkSession(req);
    const record = this.record;
    if (!record || record.tracksSetUp === 0 || !this.sessionId) throw new RtspError(455, "Method Not Valid in This State", "RECORD needs ANNOUNCE and SETUP first");
    record.record();
    log.info(`${record.stream.path}: ${this.peer.remoteAddress} recording`);
    this.reply(200, "OK", cseq, { Session: this.sessionHeader() });
  }

  private setupTrack(req: RtspRequest, cseq: string | undefined): void {
    this.checkSession(req);
    if (this.record) return this.setupRecord(req, cseq, this.record);
    if (parseTransport(req.headers.get("Transport") ?? "").some((t) => t.mode === "RECORD")) {
      throw new RtspError(455, "Method Not Valid in This State", "SETUP with mode=record needs an ANNOUNCE first");
    }
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
      answer = this.udpAnswer(offer.profile, [rtpPort, rtcpPort], { ssrc: sender.ssrc });
    }
    this.stream = stream;
    this.sessionId ??= crypto.randomUUID().replace(/-/g, "").slice(0, 16);
    this.reply(200, "OK", cseq, { Transport: formatTransport(answer), Session: this.sessionHeader() });
  }

  private play(req: RtspRequest, cseq: string | undefined): void {
    this.checkSession(req);
    if (this.record) throw new RtspError(455, "Method Not Valid in This State", "PLAY in a publishing session");
    if (!this.stream || this.setup.size === 0 || !this.sessionId) throw new RtspError(455, "Method Not Valid in This State", "PLAY before SETUP");
    const base = req.uri.replace(/\/+$/, "");
    const rtpInfo = [...this.setup.entries()].map(([id, t]) => ({ url: `${base}/trackID=${id}`, seq: t.sender.firstSequence }));
    // The answer goes out first: media sent before it would reach a client not yet ready for it.
    this.reply(200, "OK", cseq, { Session: this.sessionHeader(), Range: "npt=now-", "RTP-Info": formatRtpInfo(rtpInfo) });
    if (!this.playing) {
      const out = {
        get pendingBytes() {
          return peer.pendingBytes;
        },
        writeInterleaved: (channel: number, payload: Uint8Array) => peer.write(interleavedFrame(channel, payload)),
        write: (bytes: Uint8Array) => peer.write(bytes),
        rtp: this.ctx.rtp,
        rtcp: this.ctx.rtcp,
      };
      const peer = this.peer;
      this.playing = new ReaderSession(
        this.stream,
        this.setup,
        out,
        (reason) => {
          log.info(`${peer.remoteAddress}: reader of "${this.stream?.path}" closed: ${reason}`);
          peer.close();
        },
        peer.remoteAddress,
      );
    }
  }

  /** Transport answer for RTP over UDP (RFC 2326 12.39): the client's ports and our one shared pair. */
  private udpAnswer(profile: string, clientPort: [number, number], extra: Partial<Transport>): Transport {
    return { profile, lowerTransport: "UDP", delivery: "unicast", clientPort, serverPort: [this.ctx.rtpPort, this.ctx.rtcpPort], ...extra };
  }

  private sessionHeader(): string {
    return formatSession({ id: this.sessionId ?? "", timeout: this.ctx.sessionTimeout });
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
