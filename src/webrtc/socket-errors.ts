import type { RTCPeerConnection } from "werift";

/** The part of werift's ICE internals that holds the UDP sockets (IceConnection.protocols is private in its types). */
interface IceInternals {
  protocols?: { transport?: { socket?: { on?: (event: "error", fn: (e: Error) => void) => unknown } } }[];
}

/**
 * Gives every UDP socket of a peer connection an 'error' listener. werift
 * adds none, and Bun reports an ICMP port-unreachable as `recvmsg
 * ECONNREFUSED` on the socket (seen when a viewer's port closes under
 * traffic): without a listener that event is an uncaught exception that
 * ends the process. The error itself needs no action: a viewer that is
 * gone stops answering consent checks and its session ends (RFC 7675).
 * Returns how many sockets were guarded (0 means werift changed shape).
 */
export function guardSocketErrors(pc: RTCPeerConnection, onError: (e: Error) => void): number {
  let guarded = 0;
  for (const ice of pc.iceTransports) {
    for (const protocol of (ice.connection as unknown as IceInternals).protocols ?? []) {
      const socket = protocol.transport?.socket;
      if (typeof socket?.on !== "function") continue;
      socket.on("error", onError);
      guarded++;
    }
  }
  return guarded;
}
