import { createServer, type Server, type Socket } from "node:net";

/** One accepted connection, as the RTSP server sees it. */
export interface TcpPeer {
  readonly remoteAddress: string;
  write(bytes: Uint8Array): void;
  close(): void;
  /** Bytes queued in user space because the client is not reading: the slow-reader signal. */
  readonly pendingBytes: number;
}

export interface TcpPeerHandlers {
  onData(chunk: Uint8Array): void;
  onClose(): void;
}

export interface TcpListener {
  readonly port: number;
  close(): void;
}

/** A TCP listener (node:net works the same on Bun and Deno). */
export function listenTcp(port: number, host: string, accept: (peer: TcpPeer) => TcpPeerHandlers): Promise<TcpListener> {
  return new Promise((resolve, reject) => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      socket.setNoDelay(true);
      sockets.add(socket);
      const handlers = accept({
        remoteAddress: socket.remoteAddress ?? "",
        write: (bytes) => void socket.write(bytes),
        close: () => socket.destroy(),
        get pendingBytes() {
          return socket.writableLength;
        },
      });
      socket.on("data", (b: Uint8Array) => handlers.onData(b));
      socket.on("error", () => socket.destroy());
      socket.on("close", () => {
        sockets.delete(socket);
        handlers.onClose();
      });
    });
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const address = server.address();
      resolve({
        port: typeof address === "object" && address ? address.port : port,
        close: () => {
          server.close();
          for (const s of sockets) s.destroy();
        },
      });
    });
  });
}
