import { logger } from "../../core/log.ts";
import type { StreamRegistry } from "../../core/registry.ts";
import type { AuthDecision, AuthRequest } from "../../auth/authorizer.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { TcpListener } from "../../runtime/tcp-server.ts";
import type { UdpSocket } from "../../runtime/udp-socket.ts";
import type { Stream } from "../../core/stream.ts";
import type { Refusal } from "../../ingest/publisher.ts";
import type { RecordSession } from "./record-session.ts";
import { RtspServerConnection } from "./server-connection.ts";
import { ServerAuth } from "./server-auth.ts";

const log = logger("rtsp-server");

export interface RtspServerOptions {
  readonly host: string;
  readonly port: number;
  /** Seconds a session lives without a request or packet. */
  readonly sessionTimeout: number;
  /** Even port for RTP over UDP (RTCP on the next one); 0 = any free pair; undefined = TCP only. */
  readonly rtpPort: number | undefined;
  authorize(request: AuthRequest): Promise<AuthDecision>;
  digestPassword(user: string, action: "read" | "publish", path: string): string | undefined;
  admitPublisher(path: string, remote: string, create: (stream: Stream) => RecordSession): RecordSession | Refusal;
  endPublisher(publisher: RecordSession, reason: string): void;
}

export interface RunningRtspServer {
  readonly port: number;
  readonly rtpPort: number | undefined;
  close(): void;
}

/** The RTSP server: readers pull any stream (DESCRIBE, SETUP, PLAY), publishers push (ANNOUNCE, SETUP, RECORD), over TCP or UDP. */
export async function startRtspServer(runtime: Runtime, registry: StreamRegistry, options: RtspServerOptions): Promise<RunningRtspServer> {
  const udpRoutes = new Map<string, (bytes: Uint8Array) => void>();
  let rtp: UdpSocket | undefined;
  let rtcp: UdpSocket | undefined;
  if (options.rtpPort !== undefined) {
    // Publishers' RTP and RTCP go to their session by source address; readers' RTCP only keeps NATs open.
    const route = (msg: Uint8Array, from: { address: string; port: number }) => udpRoutes.get(`${from.address.replace(/^::ffff:/, "")}:${from.port}`)?.(msg);
    if (options.rtpPort === 0) [rtp, rtcp] = await runtime.bindUdpPair(options.host, route, route);
    else {
      rtp = await runtime.bindUdp(options.rtpPort, options.host, route);
      rtcp = await runtime.bindUdp(options.rtpPort + 1, options.host, route);
    }
  }
  const ctx = {
    registry,
    sessionTimeout: options.sessionTimeout,
    auth: new ServerAuth(),
    authorize: options.authorize,
    digestPassword: options.digestPassword,
    admitPublisher: options.admitPublisher,
    endPublisher: options.endPublisher,
    udpRoutes,
    rtp,
    rtcp,
    rtpPort: rtp?.port ?? 0,
    rtcpPort: rtcp?.port ?? 0,
  };
  let listener: TcpListener;
  try {
    listener = await runtime.listenTcp(options.port, options.host, (peer) => {
      const conn = new RtspServerConnection(peer, ctx);
      return { onData: (chunk) => conn.onData(chunk), onClose: () => conn.close() };
    });
  } catch (e) {
    rtp?.close();
    rtcp?.close();
    throw new Error(`RTSP server cannot listen on ${options.host}:${options.port}: ${e instanceof Error ? e.message : String(e)}`);
  }
  log.info(`RTSP listening on rtsp://${options.host === "0.0.0.0" ? "localhost" : options.host}:${listener.port}/ (RTP over ${rtp ? `TCP and UDP ${ctx.rtpPort}-${ctx.rtcpPort}` : "TCP only"})`);
  return {
    port: listener.port,
    rtpPort: rtp?.port,
    close() {
      listener.close();
      rtp?.close();
      rtcp?.close();
    },
  };
}
