import type { RTCPeerConnection } from "werift";

type SendCallback = (error: Error | null) => void;

/** The node:dgram socket under werift's ICE (IceConnection.protocols is private in its types). */
interface DgramSocket {
  on?: (event: "error", fn: (e: Error) => void) => unknown;
  send?: (...args: unknown[]) => void;
}
interface IceInternals {
  protocols?: { transport?: { socket?: DgramSocket } }[];
}

/**
 * Datagrams one socket may have waiting while sends are serialized: a
 * keyframe burst at 4 Mbit/s with a 2 s GOP is under 1000 packets of 1.2 KB.
 * Past this the newest is dropped (RTP recovers by NACK or the next keyframe).
 */
export const MAX_QUEUED_DATAGRAMS = 2048;

export interface SocketGuard {
  /** Sockets found and guarded; 0 means werift changed shape. */
  readonly sockets: number;
  /** Datagrams dropped because a serialized socket's queue was full. */
  dropped(): number;
}

/**
 * One send at a time, the next when the runtime says the previous one went.
 * Deno 2.9's node:dgram runs sends concurrently: a burst from one socket
 * arrives reordered (183 of 500 measured) and nothing bounds what waits.
 * Reordered RTP costs the viewer NACKs; reordered at the start of SRTP it
 * has cost whole sessions (Chromium received the packets and decrypted none).
 */
export function serializeSends(socket: DgramSocket, send: (...args: unknown[]) => void, onDrop: () => void): void {
  const queue: unknown[][] = [];
  let busy = false;
  const next = (): void => {
    const args = queue.shift();
    if (!args) {
      busy = false;
      return;
    }
    busy = true;
    const done = typeof args[args.length - 1] === "function" ? (args.pop() as SendCallback) : undefined;
    try {
      send(...args, (error: Error | null) => {
        done?.(error);
        next();
      });
    } catch (e) {
      // The socket closed under us: what waits can never go.
      queue.length = 0;
      busy = false;
      done?.(e instanceof Error ? e : new Error(String(e)));
    }
  };
  socket.send = (...args: unknown[]) => {
    if (queue.length >= MAX_QUEUED_DATAGRAMS) {
      onDrop();
      const done = args[args.length - 1];
      if (typeof done === "function") (done as SendCallback)(null);
      return;
    }
    queue.push(args);
    if (!busy) next();
  };
}

/**
 * Every UDP socket of a peer connection gets an 'error' listener: werift
 * adds none, and Bun reports an ICMP port-unreachable as `recvmsg
 * ECONNREFUSED` on the socket (seen when a viewer's port closes under
 * traffic), which without a listener is an uncaught exception that ends
 * the process. The error needs no action: a peer that is gone stops
 * answering consent checks and its session ends (RFC 7675). With `ordered`,
 * sends are also serialized (see serializeSends; Deno needs it).
 */
export function guardSockets(pc: RTCPeerConnection, onError: (e: Error) => void, ordered = false): SocketGuard {
  let sockets = 0;
  let dropped = 0;
  for (const ice of pc.iceTransports) {
    for (const protocol of (ice.connection as unknown as IceInternals).protocols ?? []) {
      const socket = protocol.transport?.socket;
      if (typeof socket?.on !== "function") continue;
      socket.on("error", onError);
      if (ordered && typeof socket.send === "function") serializeSends(socket, socket.send.bind(socket), () => dropped++);
      sockets++;
    }
  }
  return { sockets, dropped: () => dropped };
}
