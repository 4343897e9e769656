import { connect, type Socket } from "node:net";
import { lazyLowWater, lowWaterSetter } from "./tcp-low-water.ts";
import { connectTlsSocket, type TlsOptions, tlsPeerProblem } from "./tls.ts";
import type { LinuxSocketCalls } from "./udp-linux.ts";

/** A client TCP connection: node:net here (TLS on both runtimes); plain TCP is tcp-bun.ts or tcp-deno.ts, with the same contract. */
export interface TcpConnection {
  write(bytes: Uint8Array): void;
  close(): void;
  /** Bytes queued in user space because the kernel buffer is full. */
  readonly pendingBytes: number;
  /**
   * Have the kernel wake us only once `bytes` are queued (SO_RCVLOWAT; 1 is
   * every byte, the default). False where it cannot be set (TLS, not Linux).
   */
  setReceiveLowWater(bytes: number): boolean;
}

export interface TcpHandlers {
  /** A chunk is valid only during the call: a client may read the next one into the same memory (tcp-deno.ts). */
  onData(chunk: Uint8Array): void;
  onClose(error?: Error): void;
}

/**
 * Connects with a deadline (TLS handshake included when `tls` is given);
 * the handlers get every chunk and exactly one close. `calls` (libc through
 * the runtime's FFI) lets setReceiveLowWater work on plain TCP.
 */
export function connectTcp(
  host: string,
  port: number,
  timeoutMs: number,
  handlers: TcpHandlers,
  tls?: TlsOptions,
  calls?: () => LinuxSocketCalls | undefined,
): Promise<TcpConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = tls ? connectTlsSocket(host, port, tls) : connect({ host, port, noDelay: true });
    if (tls) socket.setNoDelay(true);
    let open = false;
    let closed = false;
    /** Our own errors are clear already; the runtime's handshake errors get said what they are about. */
    let own: Error | undefined;
    const abort = (message: string) => socket.destroy((own = new Error(message)));
    const timer = setTimeout(() => abort(`no ${tls ? "TLS" : "TCP"} connection to ${host}:${port} within ${timeoutMs} ms`), timeoutMs);
    socket.once(tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      const problem = tls && tlsPeerProblem(socket, host, port, tls);
      if (problem) return abort(problem);
      open = true;
      resolve({
        write: (bytes) => void socket.write(bytes),
        close: () => socket.destroy(),
        get pendingBytes() {
          return socket.writableLength;
        },
        // Not under TLS: records and their reads are node:tls's business.
        setReceiveLowWater: lazyLowWater(() => (tls ? undefined : lowWaterSetter(calls?.(), socket.localPort ?? 0, socket.remotePort ?? 0))),
      });
    });
    socket.on("data", (b: Uint8Array) => handlers.onData(b));
    socket.on("error", (e) => {
      clearTimeout(timer);
      if (!open) reject(tls && e !== own ? new Error(`TLS connection to ${host}:${port} failed: ${e.message}`) : e);
      else if (!closed) {
        closed = true;
        handlers.onClose(e);
      }
    });
    socket.on("close", () => {
      clearTimeout(timer);
      if (!open) return reject(new Error(`connection to ${host}:${port} closed`));
      if (closed) return;
      closed = true;
      handlers.onClose();
    });
  });
}

/**
 * Node's wording ("connect ECONNREFUSED 127.0.0.1:554") for the other
 * clients' errors, so a source's status reads alike on every runtime: Bun's
 * says "Failed to connect", Deno's names no address.
 */
export function netError(op: string, e: unknown, host: string, port: number): Error {
  const code = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  if (typeof code === "string") return new Error(`${op} ${code} ${host}:${port}`);
  return new Error(`${op} ${host}:${port}: ${e instanceof Error ? e.message : String(e)}`);
}
