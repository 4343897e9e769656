import { createSocket, type Socket } from "node:dgram";
import { setImmediate } from "node:timers";

/** node:dgram works the same on Bun and Deno (DESIGN.md); both adapters fall back to it where recvmmsg (udp-mmsg.ts) cannot be used. */

export interface UdpReceiveOptions {
  /** Address to bind: the unicast address, or the multicast group (so only that group's traffic arrives). */
  readonly host: string;
  readonly port: number;
  readonly multicast?: { readonly group: string; readonly interface: string; readonly source?: string };
  /** Bytes asked for SO_RCVBUF; undefined leaves the kernel default (see deno.ts for why). */
  readonly receiveBuffer: number | undefined;
}

export interface UdpReceiveStats {
  datagrams: number;
  bytes: number;
  /** Datagrams whose size is not a whole number of 188-byte TS packets. */
  oddSizes: number;
  /** Event-loop turns that delivered datagrams (batches handed on). */
  batches: number;
}

export interface UdpReceiver {
  /** How datagrams are read: recvmmsg(2) through FFI (udp-mmsg.ts) or node:dgram (this file). */
  readonly kind: "recvmmsg" | "dgram";
  /** Receive buffer the kernel granted, in bytes (Linux reports twice the usable size: socket(7)); 0 when not set. */
  readonly granted: number;
  readonly stats: UdpReceiveStats;
  close(): void;
}

/**
 * A batch holds what arrived in one event-loop turn; past this it is handed
 * on at once. 1 MiB is ~800 datagrams of 1316 bytes: 40 ms of a 200 Mbit/s feed.
 */
const MAX_BATCH_BYTES = 1 << 20;
const TS_PACKET_SIZE = 188;

/**
 * Receives datagrams and hands them on in batches, one call per event-loop
 * turn instead of one per datagram. The batch buffer is reused: `onBatch`
 * must copy what it keeps (the TS demuxer does).
 */
export async function receiveUdp(
  options: UdpReceiveOptions,
  onBatch: (bytes: Uint8Array) => void,
  onError: (error: Error) => void,
): Promise<UdpReceiver> {
  const socket: Socket = createSocket({ type: "udp4", reuseAddr: true });
  const stats: UdpReceiveStats = { datagrams: 0, bytes: 0, oddSizes: 0, batches: 0 };
  const batch = new Uint8Array(MAX_BATCH_BYTES);
  let used = 0;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (used === 0) return;
    const view = batch.subarray(0, used);
    used = 0;
    stats.batches++;
    onBatch(view);
  };
  socket.on("message", (msg: Uint8Array) => {
    stats.datagrams++;
    stats.bytes += msg.byteLength;
    if (msg.byteLength % TS_PACKET_SIZE !== 0) stats.oddSizes++;
    if (used + msg.byteLength > MAX_BATCH_BYTES) flush();
    if (msg.byteLength > MAX_BATCH_BYTES) return; // cannot happen for UDP over IPv4 (64 KiB max), kept as a bound
    batch.set(msg, used);
    used += msg.byteLength;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port, options.host, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  socket.on("error", onError);
  if (options.receiveBuffer !== undefined) {
    try {
      socket.setRecvBufferSize(options.receiveBuffer);
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    }
  }
  const m = options.multicast;
  if (m) {
    try {
      if (m.source) socket.addSourceSpecificMembership(m.source, m.group, m.interface);
      else socket.addMembership(m.group, m.interface);
    } catch (e) {
      socket.close();
      const what = m.source ? `source-specific membership (${m.source} → ${m.group})` : `membership of ${m.group}`;
      throw new Error(`cannot join ${what} on ${m.interface}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let granted = 0;
  if (options.receiveBuffer !== undefined) {
    try {
      granted = socket.getRecvBufferSize();
    } catch {
      granted = 0;
    }
  }
  return { kind: "dgram", granted, stats, close: () => socket.close() };
}
