import type { Socket } from "bun";
import { connectTcp, netError, type TcpConnection, type TcpHandlers } from "./tcp.ts";
import { lazyLowWater, lowWaterSetter } from "./tcp-low-water.ts";
import { libc } from "./udp-libc.ts";
import type { TlsOptions } from "./tls.ts";

/**
 * connectTcp on Bun with Bun.connect: each read reaches `onData` straight
 * from the event loop, without node:net's stream machinery (`data` →
 * readableAddChunk → emit), which was the largest cost per read of RTSP
 * ingest with few cameras (one RTP packet per read). Same contract as
 * connectTcp: a deadline, every chunk in order, exactly one
 * close, and `pendingBytes` for what the kernel has not taken yet (Bun's
 * write takes what fits and returns the count; we keep the rest).
 * TLS stays on node:tls (tcp.ts), the one TLS client tested on both runtimes.
 */
export function connectTcpBun(host: string, port: number, timeoutMs: number, handlers: TcpHandlers, tls?: TlsOptions): Promise<TcpConnection> {
  if (tls) return connectTcp(host, port, timeoutMs, handlers, tls);
  return new Promise((resolve, reject) => {
    let state: "connecting" | "open" | "closed" = "connecting";
    /** Bytes written but not taken by the kernel yet, in order; callers bound it through pendingBytes (rtsp-connection.ts). */
    const queue: Uint8Array[] = [];
    let queued = 0;
    const finish = (error?: Error) => {
      if (state === "closed") return;
      const was = state;
      state = "closed";
      clearTimeout(timer);
      queue.length = 0;
      queued = 0;
      if (was === "connecting") reject(error ?? new Error(`connection to ${host}:${port} closed`));
      else handlers.onClose(error);
    };
    const timer = setTimeout(() => finish(new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    /** Writes queued bytes while the kernel takes them; false when it is full. */
    const drain = (s: Socket<undefined>): boolean => {
      while (queue.length > 0) {
        const head = queue[0]!;
        const n = Math.max(0, s.write(head));
        queued -= n;
        if (n < head.length) {
          queue[0] = head.subarray(n);
          return false;
        }
        queue.shift();
      }
      return true;
    };
    Bun.connect({
      hostname: host,
      port,
      socket: {
        // A Uint8Array per read, backed by its own memory: RtspReader keeps views of it.
        binaryType: "uint8array",
        open(s) {
          // Connected after the deadline: nobody waits for it any more.
          if (state !== "connecting") return void s.terminate();
          state = "open";
          clearTimeout(timer);
          s.setNoDelay(true);
          resolve({
            write(bytes) {
              if (state !== "open") return;
              if (queue.length > 0) {
                queue.push(bytes);
                queued += bytes.length;
                return;
              }
              const n = Math.max(0, s.write(bytes));
              if (n < bytes.length) {
                queue.push(bytes.subarray(n));
                queued += bytes.length - n;
              }
            },
            close() {
              s.terminate();
              finish();
            },
            get pendingBytes() {
              return queued;
            },
            setReceiveLowWater: lazyLowWater(() => lowWaterSetter(libc(), s.localPort, s.remotePort)),
          });
        },
        data(_s, chunk) {
          if (state === "open") handlers.onData(chunk);
        },
        drain(s) {
          if (state === "open") drain(s);
        },
        close(_s, error) {
          finish(error);
        },
        error(s, error) {
          s.terminate();
          finish(error);
        },
        connectError(_s, error) {
          finish(netError("connect", error, host, port));
        },
      },
    }).catch(() => {
      // connectError (or the deadline) has settled it.
    });
  });
}
