import { logger } from "../../core/log.ts";
import type { StreamRegistry } from "../../core/registry.ts";
import type { Credentials } from "../../auth/basic.ts";
import type { Runtime } from "../../runtime/types.ts";
import type { TcpListener } from "../../runtime/tcp-server.ts";
import type { UdpSocket } from "../../runtime/udp-socket.ts";
import { RtspServerConnection } from "./server-connection.ts";
import { ServerAuth } from "./server-auth.ts";

const log = logger("rtsp-server");

export interface RtspServerOptions {
  readonly host: string;
  readonly port: number;
  /** Even port for RTP over UDP (RTCP on the next one); 0 = any free pair; undefined = TCP only. */
  readonly rtpPort: number | undefined;
  readCredentials(path: string): Credentials | undefined;
}

export interface RunningRtspServer {
  readonly port: number;
  readonly rtpPort: number | undefined;
  close(): void;
}

/** The RTSP server: readers pull any stream with DESCRIBE, SETUP and PLAY, over TCP or UDP. */
export async function startRtspServer(runtime: Runtime, registry: StreamRegistry, options: RtspServerOptions): Promise<RunningRtspServer> {
  let rtp: UdpSocket | undefined;
  let rtcp: UdpSocket | undefined;
  if (options.rtpPort !== undefined) {
    // Readers' RTCP arrives here; we only need it to exist (NAT keepalive), not to read it.
    const ignore = () => {};
    if (options.rtpPort === 0) [rtp, rtcp] = await runtime.bindUdpPair(options.host, ignore, ignore);
    else {
      rtp = await runtime.bindUdp(options.rtpPort, options.host, ignore);
      rtcp = await runtime.bindUdp(options.rtpPort + 1, options.host, ignore);
    }
  }
  const ctx = {
    registry,
    auth: new ServerAuth(),
    readCredentials: options.readCredentials,
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
