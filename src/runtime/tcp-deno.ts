import { connectTcp, netError, type TcpConnection, type TcpHandlers } from "./tcp.ts";
import { lazyLowWater, lowWaterSetter } from "./tcp-low-water.ts";
import type { TlsOptions } from "./tls.ts";
import type { LinuxSocketCalls } from "./udp-linux.ts";

/** The slice of Deno.TcpConn we use, typed here so src/ compiles without Deno's lib. */
interface DenoTcpConn {
  read(into: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  setNoDelay(on?: boolean): void;
  readonly localAddr: { port: number };
  readonly remoteAddr: { port: number };
}

const Deno = (globalThis as unknown as { Deno: { connect(o: { hostname: string; port: number; transport: "tcp" }): Promise<DenoTcpConn> } }).Deno;

/** Bytes asked of the kernel per read; a low-water mark (read-coalescing.ts) of a fast camera stays below it. */
const READ_SIZE = 64 * 1024;

/**
 * connectTcp on Deno with Deno.connect and a read loop of our own: node:net
 * on Deno wraps the same connection, then passes every chunk through its
 * stream machinery (stream_wrap → readableAddChunk → emit); dropping it took
 * about a fifth off the server's CPU with 10 cameras. Same contract
 * as connectTcp: a deadline, every chunk in order, exactly one
 * close, and `pendingBytes` for written bytes whose write has not completed.
 * TLS stays on node:tls (tcp.ts), the one TLS client tested on both runtimes.
 */
export function connectTcpDeno(
  host: string,
  port: number,
  timeoutMs: number,
  handlers: TcpHandlers,
  tls?: TlsOptions,
  calls?: () => LinuxSocketCalls | undefined,
): Promise<TcpConnection> {
  if (tls) return connectTcp(host, port, timeoutMs, handlers, tls);
  return new Promise((resolve, reject) => {
    let state: "connecting" | "open" | "closed" = "connecting";
    let conn: DenoTcpConn | undefined;
    /** Bytes written but not taken yet, in order; callers bound it through pendingBytes (rtsp-connection.ts). */
    const queue: Uint8Array[] = [];
    let queued = 0;
    let writing = false;
    const finish = (error?: Error) => {
      if (state === "closed") return;
      const was = state;
      state = "closed";
      clearTimeout(timer);
      queue.length = 0;
      queued = 0;
      try {
        conn?.close();
      } catch {
        // Closed already (by the peer's reset, or our close()).
      }
      if (was === "connecting") reject(error ?? new Error(`connection to ${host}:${port} closed`));
      else handlers.onClose(error);
    };
    const timer = setTimeout(() => finish(new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);

    const flush = async (c: DenoTcpConn) => {
      writing = true;
      try {
        while (queue.length > 0 && state === "open") {
          const head = queue[0]!;
          const n = await c.write(head);
          if (state !== "open") return;
          queued -= n;
          if (n < head.length) queue[0] = head.subarray(n);
          else queue.shift();
        }
      } catch (e) {
        finish(netError("write", e, host, port));
      } finally {
        writing = false;
      }
    };

    const pump = async (c: DenoTcpConn) => {
      const scratch = new Uint8Array(READ_SIZE);
      try {
        for (;;) {
          const n = await c.read(scratch);
          if (state !== "open") return;
          if (n === null) return finish();
          // No copy: a chunk is valid only during onData (TcpHandlers), then the scratch is read into again.
          handlers.onData(scratch.subarray(0, n));
        }
      } catch (e) {
        // A read that fails because close() closed the conn is no error of the peer's.
        if (state === "open") finish(netError("read", e, host, port));
      }
    };

    Deno.connect({ hostname: host, port, transport: "tcp" }).then(
      (c) => {
        // Connected after the deadline: nobody waits for it any more.
        if (state !== "connecting") return void c.close();
        conn = c;
        state = "open";
        clearTimeout(timer);
        c.setNoDelay(true);
        resolve({
          write(bytes) {
            if (state !== "open") return;
            queue.push(bytes);
            queued += bytes.length;
            if (!writing) void flush(c);
          },
          close: () => finish(),
          get pendingBytes() {
            return queued;
          },
          setReceiveLowWater: lazyLowWater(() => lowWaterSetter(calls?.(), c.localAddr.port, c.remoteAddr.port)),
        });
        void pump(c);
      },
      (e) => finish(netError("connect", e, host, port)),
    );
  });
}
