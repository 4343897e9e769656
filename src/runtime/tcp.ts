import { connect, type Socket } from "node:net";

/** A client TCP connection (node:net works the same on Bun and Deno). */
export interface TcpConnection {
  write(bytes: Uint8Array): void;
  close(): void;
  /** Bytes queued in user space because the kernel buffer is full. */
  readonly pendingBytes: number;
}

export interface TcpHandlers {
  onData(chunk: Uint8Array): void;
  onClose(error?: Error): void;
}

/** Connects with a deadline; the handlers get every chunk and exactly one close. */
export function connectTcp(host: string, port: number, timeoutMs: number, handlers: TcpHandlers): Promise<TcpConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host, port, noDelay: true });
    let open = false;
    let closed = false;
    const timer = setTimeout(() => socket.destroy(new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      open = true;
      resolve({
        write: (bytes) => void socket.write(bytes),
        close: () => socket.destroy(),
        get pendingBytes() {
          return socket.writableLength;
        },
      });
    });
    socket.on("data", (b: Uint8Array) => handlers.onData(b));
    socket.on("error", (e) => {
      clearTimeout(timer);
      if (!open) reject(e);
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
