import { logger } from "../../core/log.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { TcpConnection } from "../../runtime/tcp.ts";
import type { TlsOptions } from "../../runtime/tls.ts";
import { RtspAuthenticator } from "../../rtsp/auth.ts";
import { interleavedFrame } from "../../rtsp/interleaved.ts";
import { RtspHeaders, type RtspResponse, serializeRequest, serializeResponse } from "../../rtsp/message.ts";
import { RtspReader } from "../../rtsp/reader.ts";
import { ReadCoalescing } from "./read-coalescing.ts";

const log = logger("rtsp");
const USER_AGENT = "mediaserver";
/** A 401 is answered once with credentials, once more if the server says the nonce went stale (RFC 7616 3.3). */
const MAX_AUTH_RETRIES = 2;
/**
 * Bytes the kernel has not taken past which receiver reports are dropped: a
 * camera that sends but never reads would otherwise grow our write queue by
 * a report every few seconds for as long as it streams. RTCP is best-effort
 * (RFC 3550 6), and requests are bounded by their answer's timeout.
 */
export const MAX_PENDING_REPORT_BYTES = 64 * 1024;

export interface RtspConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly user?: string;
  readonly password?: string;
  /** RTSP over TLS (rtsps://): the whole connection, interleaved RTP included, is inside TLS. */
  readonly tls?: TlsOptions;
  /** Milliseconds to wait for the connection and for each response. */
  readonly timeoutMs: number;
  /** RTP/RTCP that arrives interleaved on this connection (RFC 2326 10.12). */
  readonly onInterleaved: (channel: number, payload: Uint8Array) => void;
  /** The connection ended or failed on its own. */
  readonly onClose: (reason: string) => void;
}

/**
 * One RTSP control connection to a camera: requests with CSeq, one at a
 * time, answers matched to them, authentication on 401, and the
 * interleaved RTP that shares the socket.
 */
export class RtspConnection {
  private readonly reader = new RtspReader();
  private cseq = 0;
  private waiting: { cseq: number; resolve: (r: RtspResponse) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> } | undefined;
  private readonly auth: RtspAuthenticator | undefined;
  private tcp!: TcpConnection;
  private closed = false;
  private coalescing: ReadCoalescing | undefined;
  /** Session id from the first SETUP answer (RFC 2326 12.37). */
  session: string | undefined;

  private constructor(private readonly options: RtspConnectionOptions) {
    this.auth = options.user !== undefined ? new RtspAuthenticator(options.user, options.password ?? "") : undefined;
  }

  static async open(runtime: Runtime, options: RtspConnectionOptions): Promise<RtspConnection> {
    const c = new RtspConnection(options);
    c.tcp = await runtime.connectTcp(options.host, options.port, options.timeoutMs, {
      onData: (chunk) => c.onData(chunk),
      onClose: (e) => c.fail(e ? e.message : "the camera closed the connection"),
    }, options.tls);
    return c;
  }

  /** Bytes the kernel has not taken yet: a backlog here means the camera stopped reading. */
  get pendingBytes(): number {
    return this.tcp.pendingBytes;
  }

  /** Sends a request and waits for its answer, authenticating when asked to. */
  async request(method: string, uri: string, headers: Record<string, string> = {}, body?: Uint8Array): Promise<RtspResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(method, uri, headers, body);
      if (res.status !== 401 || !this.auth || attempt >= MAX_AUTH_RETRIES) return res;
      const challenges = res.headers.getAll("WWW-Authenticate");
      if (attempt > 0 && !this.auth.isStaleRetry(challenges)) return res;
      this.auth.setChallenges(challenges);
    }
  }

  /**
   * Once RTP flows interleaved: let the kernel gather about `budgetMs` of
   * the camera's data per wake-up (read-coalescing.ts). 0 leaves it off.
   */
  coalesceReads(budgetMs: number): void {
    if (budgetMs <= 0 || this.closed || this.coalescing) return;
    const tcp = this.tcp;
    this.coalescing = new ReadCoalescing((bytes) => tcp.setReceiveLowWater(bytes), budgetMs);
    this.coalescing.hold(this.waiting !== undefined);
  }

  /** RTCP (receiver reports) back to the camera on the same connection; dropped while the camera reads nothing. */
  sendInterleaved(channel: number, payload: Uint8Array): void {
    if (this.tcp.pendingBytes > MAX_PENDING_REPORT_BYTES) return;
    this.tcp.write(interleavedFrame(channel, payload));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.coalescing?.stop();
    this.tcp?.close();
    this.rejectWaiting(new Error("connection closed"));
  }

  private send(method: string, uri: string, extra: Record<string, string>, body?: Uint8Array): Promise<RtspResponse> {
    if (this.closed) return Promise.reject(new Error("connection closed"));
    if (this.waiting) return Promise.reject(new Error(`${method} sent while a request is still open`));
    const cseq = ++this.cseq;
    const headers = new RtspHeaders();
    headers.set("CSeq", String(cseq));
    headers.set("User-Agent", USER_AGENT);
    const authorization = this.auth?.authorization(method, uri);
    if (authorization) headers.set("Authorization", authorization);
    if (this.session) headers.set("Session", this.session);
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        this.coalescing?.hold(false);
        reject(new Error(`no answer to ${method} within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
      this.waiting = { cseq, resolve, reject, timer };
      this.coalescing?.hold(true);
      this.tcp.write(serializeRequest({ method, uri, headers, body }));
    });
  }

  private onData(chunk: Uint8Array): void {
    this.coalescing?.onRead(chunk.length);
    let items;
    try {
      items = this.reader.push(chunk);
    } catch (e) {
      return this.fail(`unreadable data from the camera: ${e instanceof Error ? e.message : String(e)}`);
    }
    for (const item of items) {
      if (item.kind === "interleaved") this.options.onInterleaved(item.channel, item.payload);
      else if (item.kind === "response") this.onResponse(item.response);
      else if (item.kind === "request") {
        // Cameras rarely ask us anything (some send GET_PARAMETER or ANNOUNCE); say we do not do it.
        const headers = new RtspHeaders();
        headers.set("CSeq", item.request.headers.get("CSeq") ?? "0");
        this.tcp.write(serializeResponse({ status: 501, reason: "Not Implemented", headers, body: new Uint8Array(0) }));
      } else return this.fail(`unreadable data from the camera: ${item.error.message}`);
    }
  }

  private onResponse(res: RtspResponse): void {
    const w = this.waiting;
    if (!w) return; // the answer to a fire-and-forget keepalive, or a late one after a timeout
    const cseq = Number(res.headers.get("CSeq"));
    // Some cameras drop or mangle CSeq; with one request open, the answer is its answer.
    if (Number.isFinite(cseq) && cseq !== w.cseq && res.headers.has("CSeq")) {
      log.debug(`answer with CSeq ${cseq} while waiting for ${w.cseq}: ignored`);
      return;
    }
    clearTimeout(w.timer);
    this.waiting = undefined;
    this.coalescing?.hold(false);
    w.resolve(res);
  }

  private rejectWaiting(e: Error): void {
    const w = this.waiting;
    if (!w) return;
    clearTimeout(w.timer);
    this.waiting = undefined;
    this.coalescing?.hold(false);
    w.reject(e);
  }

  private fail(reason: string): void {
    if (this.closed) return;
    this.rejectWaiting(new Error(reason));
    this.close();
    this.options.onClose(reason);
  }
}
