import type { Stream } from "../../core/stream.ts";
import { logger } from "../../core/log.ts";
import type { TlsOptions } from "../../runtime/tls.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { UdpSocket } from "../../runtime/udp-socket.ts";
import { parsePublic, parseRtpInfo, parseSession, parseTransport } from "../../rtsp/headers.ts";
import type { RtspResponse } from "../../rtsp/message.ts";
import { parseSessionDescription } from "../../rtsp/sdp.ts";
import { resolveControl, stripCredentials } from "../../rtsp/url.ts";
import type { SourceState, SourceStatus, StatusSource } from "../source-status.ts";
import { RtpTrackSet } from "./rtp-track-set.ts";
import { RtspConnection } from "./rtsp-connection.ts";

const log = logger("rtsp");

export type RtspTransport = "auto" | "tcp" | "udp";

export interface RtspSourceOptions {
  readonly url: string;
  /** The URL as shown in logs and the API (password masked). */
  readonly shownUrl: string;
  readonly transport: RtspTransport;
  /** Seconds without RTP before the session counts as dead. */
  readonly timeout: number;
  /** Seconds to wait for the connection and each RTSP answer. */
  readonly requestTimeout: number;
  /** Over TCP: milliseconds of the camera's data the kernel may gather per wake-up (read-coalescing.ts); 0 is off. */
  readonly tcpReadBatchMs: number;
  /** How an rtsps:// camera's certificate is checked. */
  readonly tls: TlsOptions;
}

/** Redial delays: 1 s doubling to 30 s, with ±20 % jitter so a fleet does not redial in step. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** auto: with UDP, no packet this soon after PLAY means a firewall or NAT eats it: use TCP. */
const UDP_FIRST_PACKET_SECONDS = 3;
/** RFC 2326 C.1.1 / 3xx: follow at most this many redirects. */
const MAX_REDIRECTS = 5;
/** RTCP receiver reports this often (RFC 3550 6.2 suggests 5 s as the minimum interval). */
const RTCP_INTERVAL_MS = 5000;
const DEFAULT_RTSP_PORT = 554;
/** rtsps (IANA service name): RTSP over TLS. */
const DEFAULT_RTSPS_PORT = 322;

class SessionEnded extends Error {}
/** The camera refused our transport (461) or UDP never arrived: worth trying TCP. */
class TransportRefused extends Error {}

/** Pulls a camera over RTSP into a stream, and keeps pulling: reconnects with backoff. */
export class RtspSource implements StatusSource {
  /** "stopped" until started: an on-demand camera waits for its first reader. */
  private state: SourceState = "stopped";
  private reason: string | undefined;
  private stopped = false;
  private conn: RtspConnection | undefined;
  private set: RtpTrackSet | undefined;
  /** interleaved channel (TCP) or track index (UDP) → track index, RTP only. */
  private readonly channels = new Map<number, number>();
  private sockets: UdpSocket[] = [];
  private lastPacket = 0;
  private endSession: ((reason: Error) => void) | undefined;
  private useTcp: boolean;
  private retryMs = FIRST_RETRY_MS;
  private wake: (() => void) | undefined;
  /** Totals of the sessions before the current one. */
  private readonly counters = { connects: 0, reconnects: 0, packets: 0, badPackets: 0, lost: 0, framesDropped: 0 };
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  /** Methods the camera lists in its OPTIONS answer. */
  private public: string[] = [];
  /** Where each track's RTCP goes over UDP. */
  private rtcpTargets: ({ socket: UdpSocket | undefined; port: number; host: string } | undefined)[] = [];
  /** Bumped by start(): a loop from before a stop/start sees it and leaves. */
  private generation = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly stream: Stream,
    private readonly options: RtspSourceOptions,
  ) {
    this.useTcp = options.transport === "tcp";
  }

  start(): void {
    this.stopped = false;
    this.stream.publisher = this.options.shownUrl;
    // A loop from before a quick stop/start sees the new generation and leaves.
    void this.loop(++this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.endSession?.(new SessionEnded("stopped"));
    this.wake?.();
    this.state = "stopped";
  }

  status(): SourceStatus {
    const c = this.counters;
    const s = this.set;
    return {
      kind: "rtsp",
      url: this.options.shownUrl,
      state: this.state,
      reason: this.reason,
      counters: {
        ...c,
        packets: c.packets + (s?.counters.packets ?? 0),
        badPackets: c.badPackets + (s?.counters.badPackets ?? 0),
        lost: c.lost + (s?.lost ?? 0),
        framesDropped: c.framesDropped + (s?.framesDropped ?? 0),
        transportTcp: this.useTcp ? 1 : 0,
      },
    };
  }

  private async loop(generation: number): Promise<void> {
    const current = () => !this.stopped && generation === this.generation;
    while (current()) {
      this.state = "starting";
      try {
        await this.session();
      } catch (e) {
        if (!current()) break;
        const error = e instanceof Error ? e : new Error(String(e));
        if (error instanceof TransportRefused && this.options.transport === "auto" && !this.useTcp) {
          log.info(`${this.stream.path}: ${error.message}; switching to TCP`);
          this.useTcp = true;
          this.retryMs = 0;
        }
        this.reason = error.message;
      } finally {
        this.teardown();
      }
      if (!current()) break;
      this.state = "failed";
      const delay = this.retryMs === 0 ? 0 : Math.round(this.retryMs * (0.8 + Math.random() * 0.4));
      if (delay > 0) log.warn(`${this.stream.path}: ${this.reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, delay);
      });
      this.retryMs = Math.min(Math.max(this.retryMs * 2, FIRST_RETRY_MS), MAX_RETRY_MS);
      this.counters.reconnects++;
    }
    if (generation === this.generation) this.state = "stopped";
  }

  /** One RTSP session, from OPTIONS to the moment it fails. */
  private async session(): Promise<void> {
    let target = this.options.url;
    let conn: RtspConnection;
    let describe: RtspResponse;
    let redirects = 0;
    for (;;) {
      const { url, user, password } = stripCredentials(target);
      const u = new URL(url);
      // rtsps (also after a redirect to it): RTP goes interleaved inside the TLS connection, never over UDP.
      const tls = u.protocol === "rtsps:";
      if (tls) this.useTcp = true;
      const ended = new Promise<never>((_, reject) => (this.endSession = reject));
      ended.catch(() => {});
      conn = await RtspConnection.open(this.runtime, {
        host: u.hostname,
        port: u.port ? Number(u.port) : tls ? DEFAULT_RTSPS_PORT : DEFAULT_RTSP_PORT,
        tls: tls ? this.options.tls : undefined,
        user,
        password,
        timeoutMs: this.options.requestTimeout * 1000,
        onInterleaved: (channel, payload) => {
          const rtcp = channel % 2 === 1;
          this.onRtp(this.channels.get(rtcp ? channel - 1 : channel), payload, rtcp);
        },
        onClose: (reason) => this.endSession?.(new Error(reason)),
      }).catch((e: unknown) => {
        throw tls ? withTlsHint(e, this.options.tls) : e;
      });
      this.conn = conn;
      this.counters.connects++;
      const options = await conn.request("OPTIONS", url);
      this.public = options.status < 300 ? parsePublic(options.headers.get("Public") ?? "") : [];
      describe = await conn.request("DESCRIBE", url, { Accept: "application/sdp" });
      const location = describe.headers.get("Location");
      if ((describe.status === 301 || describe.status === 302) && location && redirects++ < MAX_REDIRECTS) {
        log.info(`${this.stream.path}: redirected to ${stripCredentials(location).url}`);
        conn.close();
        // Keep our credentials unless the redirect brings its own.
        target = stripCredentials(location).user === undefined && user !== undefined ? withCredentials(location, user, password ?? "") : location;
        continue;
      }
      this.expectOk("DESCRIBE", describe);
      const base = describe.headers.get("Content-Base") ?? describe.headers.get("Content-Location") ?? url;
      await this.setupAndPlay(conn, base, new TextDecoder().decode(describe.body), ended);
      return;
    }
  }

  private async setupAndPlay(conn: RtspConnection, base: string, sdpText: string, ended: Promise<never>): Promise<void> {
    const sdp = parseSessionDescription(sdpText);
    for (const s of sdp.skipped) log.info(`${this.stream.path}: SDP media ${s.index} skipped: ${s.reason}`);
    if (sdp.media.length === 0) throw new Error("the camera's SDP has no track we can use");
    const set = RtpTrackSet.continuing(this.stream, sdp.media);
    this.set = set;
    this.channels.clear();
    let sessionTimeout = 60;
    for (let i = 0; i < set.tracks.length; i++) {
      const control = resolveControl(base, set.tracks[i]!.media.control);
      let transport: string;
      if (this.useTcp) {
        transport = `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`;
      } else {
        const index = i;
        const pair = await this.runtime.bindUdpPair(
          "0.0.0.0",
          (msg) => this.onRtp(index, msg, false),
          (msg) => this.onRtp(index, msg, true),
        );
        this.sockets.push(...pair);
        transport = `RTP/AVP;unicast;client_port=${pair[0].port}-${pair[1].port}`;
      }
      const res = await conn.request("SETUP", control, { Transport: transport });
      if (res.status === 461 && !this.useTcp) throw new TransportRefused("the camera refused RTP over UDP (461)");
      this.expectOk("SETUP", res);
      const session = parseSession(res.headers.get("Session") ?? "");
      if (session) {
        conn.session = session.id;
        sessionTimeout = session.timeout;
      }
      const answer = parseTransport(res.headers.get("Transport") ?? "")[0];
      if (this.useTcp) {
        // The camera may pick other channels than we asked for; believe its answer.
        const rtpChannel = answer?.interleaved?.[0] ?? 2 * i;
        this.channels.set(rtpChannel, i);
      } else if (answer?.serverPort) {
        this.punch(i, answer.serverPort[0], answer.serverPort[1], new URL(stripCredentials(this.options.url).url).hostname);
      }
      this.stream.setTrack(set.tracks[i]!.track);
    }
    const aggregate = sdp.control ? resolveControl(base, sdp.control) : base;
    // RTP may come before the answer, whose RTP-Info sets time zero: held until it is read.
    set.hold();
    const play = await conn.request("PLAY", aggregate, { Range: "npt=0.000-" });
    this.expectOk("PLAY", play);
    for (const info of parseRtpInfo(play.headers.get("RTP-Info") ?? "")) {
      const t = set.tracks.find((tr) => sameControl(resolveControl(base, tr.media.control), info.url));
      if (t && info.rtptime !== undefined) t.setZero(info.rtptime);
    }
    set.release();
    if (this.useTcp) conn.coalesceReads(this.options.tcpReadBatchMs);
    this.lastPacket = Date.now();
    const played = Date.now();
    log.info(`${this.stream.path}: playing ${this.options.shownUrl} over ${this.useTcp ? "TCP" : "UDP"} (${set.tracks.map((t) => t.track.codec).join(" + ")})`);
    // Keepalive before the session times out (RFC 2326 12.37); GET_PARAMETER when offered, as most cameras want.
    const keepaliveMs = Math.max(5, sessionTimeout / 2) * 1000;
    const keepMethod = this.public.includes("GET_PARAMETER") ? "GET_PARAMETER" : "OPTIONS";
    const timers = [
      setInterval(() => {
        conn.request(keepMethod, aggregate).catch((e: unknown) => log.debug(`${this.stream.path}: keepalive: ${String(e)}`));
      }, keepaliveMs),
      setInterval(() => this.sendReports(), RTCP_INTERVAL_MS),
    ];
    const watchdog = new Promise<never>((_, reject) => {
      timers.push(
        setInterval(() => {
          const now = Date.now();
          if (!this.useTcp && set.counters.packets === 0 && now - played > UDP_FIRST_PACKET_SECONDS * 1000 && this.options.transport === "auto") {
            reject(new TransportRefused(`no RTP over UDP within ${UDP_FIRST_PACKET_SECONDS} s`));
          } else if (now - this.lastPacket > this.options.timeout * 1000) {
            reject(new Error(`no RTP for ${this.options.timeout} s`));
          }
        }, 500),
      );
    });
    try {
      await Promise.race([ended, watchdog]);
    } finally {
      for (const t of timers) clearInterval(t);
    }
  }

  private onRtp(index: number | undefined, bytes: Uint8Array, rtcp: boolean): void {
    const set = this.set;
    if (!set || index === undefined) return;
    if (rtcp) return set.rtcp(index, bytes);
    if (!set.rtp(index, bytes)) return;
    this.lastPacket = Date.now();
    this.reason = undefined;
    if (this.state !== "running") {
      this.state = "running";
      this.retryMs = FIRST_RETRY_MS;
    }
  }

  /** NAT-friendly: a packet from each of our ports opens the path for the camera's RTP and RTCP. */
  private punch(index: number, rtpPort: number, rtcpPort: number, host: string): void {
    const [rtp, rtcp] = [this.sockets[this.sockets.length - 2], this.sockets[this.sockets.length - 1]];
    const report = this.set?.receiverReport(this.ssrc, index);
    if (report) {
      rtp?.send(report, rtpPort, host);
      rtcp?.send(report, rtcpPort, host);
    }
    this.rtcpTargets[index] = { socket: rtcp, port: rtcpPort, host };
  }

  private sendReports(): void {
    this.set?.receptions.forEach((reception, i) => {
      if (reception.received === 0) return;
      const report = this.set?.receiverReport(this.ssrc, i);
      if (!report) return;
      if (this.useTcp) this.conn?.sendInterleaved(this.rtcpChannel(i), report);
      else {
        const t = this.rtcpTargets[i];
        t?.socket?.send(report, t.port, t.host);
      }
    });
  }

  private rtcpChannel(index: number): number {
    for (const [channel, i] of this.channels) if (i === index) return channel + 1;
    return 2 * index + 1;
  }

  private expectOk(method: string, res: RtspResponse): void {
    if (res.status >= 200 && res.status < 300) return;
    if (res.status === 401) throw new Error(`${method}: 401 Unauthorized: wrong user or password for ${this.options.shownUrl}`);
    throw new Error(`${method}: ${res.status} ${res.reason}`);
  }

  private teardown(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.endSession = undefined;
    if (conn) {
      conn.request("TEARDOWN", stripCredentials(this.options.url).url).catch(() => {});
      // Give TEARDOWN a moment on the wire, then close whatever happens.
      setTimeout(() => conn.close(), 200);
    }
    for (const s of this.sockets) s.close();
    this.sockets = [];
    this.rtcpTargets = [];
    const set = this.set;
    this.set = undefined;
    if (set) {
      this.counters.packets += set.counters.packets;
      this.counters.badPackets += set.counters.badPackets;
      this.counters.lost += set.lost;
      this.counters.framesDropped += set.framesDropped;
    }
  }
}

/** A certificate the CA check refused: say how to accept a camera's self-signed one. */
function withTlsHint(e: unknown, tls: TlsOptions): unknown {
  if (!(e instanceof Error) || !tls.verify || tls.fingerprint !== undefined || !/certificate/i.test(e.message)) return e;
  return new Error(`${e.message} (certificate not trusted: for a camera's self-signed certificate set tlsFingerprint, or tlsVerify: false)`);
}

function sameControl(a: string, b: string): boolean {
  const strip = (s: string) => s.replace(/\/+$/, "");
  return strip(a) === strip(b) || strip(a).endsWith(strip(b)) || strip(b).endsWith(strip(a));
}

function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.href;
}
