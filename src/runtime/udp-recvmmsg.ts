import { libc } from "./udp-libc.ts";
import { receiveUdpMmsg, recvmmsgWanted } from "./udp-mmsg.ts";
import type { UdpReceiveOptions, UdpReceiver } from "./udp.ts";

/** The Bun adapter's receiveUdp: recvmmsg through bun:ffi (udp-mmsg.ts) when it can, node:dgram otherwise. */
export function receiveUdpBun(options: UdpReceiveOptions, onBatch: (bytes: Uint8Array) => void, onError: (error: Error) => void): Promise<UdpReceiver> {
  const c = recvmmsgWanted((name) => process.env[name]) ? libc() : undefined;
  return receiveUdpMmsg(c, options, onBatch, onError);
}
