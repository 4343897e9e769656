import {
  AF_INET, EAGAIN, EINTR, failure, getIntOption, IOVEC_BYTES, IP_ADD_MEMBERSHIP, IP_ADD_SOURCE_MEMBERSHIP, IPPROTO_IP, ipMreq, ipv4,
  type LinuxSocketCalls, MMSGHDR_BYTES, MSG_DONTWAIT, MSG_FLAGS, MSG_IOV, MSG_IOVLEN, MSG_LEN, MSG_TRUNC, setIntOption, SO_RCVBUF,
  SO_REUSEADDR, SOCK_CLOEXEC, SOCK_DGRAM, SOCK_NONBLOCK, sockaddrIn, SOL_SOCKET,
} from "./udp-linux.ts";
import { receiveUdp, type UdpReceiveOptions, type UdpReceiver, type UdpReceiveStats } from "./udp.ts";

/**
 * MPEG-TS over UDP without a JavaScript object per datagram, on Bun and Deno.
 *
 * node:dgram hands JavaScript one fresh Buffer (plus an address string and
 * an info object) per datagram: at 200 Mbit/s that is 19,000 allocations a
 * second of freshly faulted memory (and Deno's node:dgram cannot set
 * SO_RCVBUF at all: deno.ts). Here the socket is read with recvmmsg(2)
 * through the runtime's FFI (LinuxSocketCalls), up to SLOTS datagrams per
 * call, straight into one buffer kept for the socket's life. One timer polls
 * every socket; the kernel's receive buffer (4 MiB by default: 335 ms at
 * 100 Mbit/s) holds what arrives between polls. bench/hotpath --mode udp,
 * 2 × 100 Mbit/s on Bun: receiving alone went from 2.85 ms to 0.97 ms of CPU
 * per MB, page faults from 225 to 2 per MB.
 *
 * Without the calls (no FFI, no glibc), for hostnames (not IPv4 literals),
 * or with UDP_RECVMMSG=0 in the environment (not a MEDIA_SERVER_* name:
 * those are settings), node:dgram (udp.ts) is used.
 */

/** Datagrams per recvmmsg call. */
const SLOTS = 32;
/**
 * Room per datagram: 48 TS packets, more than a 9000-byte jumbo frame
 * carries. MPEG-TS over UDP sends 1 to 7 packets per datagram (ETSI TS 102
 * 034 4.1.1, SMPTE 2022-2); a longer datagram is cut (MSG_TRUNC) and counted
 * in oddSizes.
 */
const SLOT_BYTES = 48 * 188;
/**
 * How often every socket is read. 10 ms against 5: twice the datagrams per
 * call and half the timer wake-ups; udp-ingest (docs/BENCHMARKS.md) −12 to
 * −25 % CPU on Bun, −3 to −6 % on Deno, no loss. The 4 MiB buffer holds
 * 335 ms at 100 Mbit/s; the kernel's default (~200 KiB, warned about) ~19 ms.
 */
const POLL_MS = 10;
/** recvmmsg calls per socket and poll at most (64 × 32 datagrams ≈ 2.7 MB), so one flood cannot hold the event loop. */
const MAX_CALLS_PER_POLL = 64;
const TS_PACKET_SIZE = 188;

interface Polled {
  poll(): void;
}

const sockets = new Set<Polled>();
let timer: ReturnType<typeof setInterval> | undefined;

function watch(s: Polled): void {
  sockets.add(s);
  timer ??= setInterval(() => {
    for (const socket of sockets) socket.poll();
  }, POLL_MS);
}

function unwatch(s: Polled): void {
  sockets.delete(s);
  if (sockets.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** recvmmsg through `c` when it can, node:dgram otherwise (see above); `c` undefined means no FFI. */
export async function receiveUdpMmsg(
  c: LinuxSocketCalls | undefined,
  options: UdpReceiveOptions,
  onBatch: (bytes: Uint8Array) => void,
  onError: (error: Error) => void,
): Promise<UdpReceiver> {
  const host = ipv4(options.host);
  const m = options.multicast;
  const group = m && ipv4(m.group);
  const iface = m && ipv4(m.interface);
  const source = m?.source === undefined ? undefined : ipv4(m.source);
  if (!c || !host || (m && (!group || !iface || (m.source !== undefined && !source)))) return receiveUdp(options, onBatch, onError);
  return open(c, options, host, { group, iface, source }, onBatch, onError);
}

/** False with UDP_RECVMMSG=0 (node:dgram forced, to compare or to work around a kernel quirk). */
export function recvmmsgWanted(env: (name: string) => string | undefined): boolean {
  return env("UDP_RECVMMSG") !== "0";
}

function open(
  c: LinuxSocketCalls,
  options: UdpReceiveOptions,
  host: Uint8Array,
  mc: { group: Uint8Array | undefined; iface: Uint8Array | undefined; source: Uint8Array | undefined },
  onBatch: (bytes: Uint8Array) => void,
  onError: (error: Error) => void,
): UdpReceiver {
  const fd = c.socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failure(c, "socket");
  const fail = (what: string): never => {
    const e = failure(c, what);
    c.close(fd);
    throw e;
  };
  // As node:dgram's reuseAddr: true.
  if (!setIntOption(c, fd, SOL_SOCKET, SO_REUSEADDR, 1)) fail("setsockopt SO_REUSEADDR");
  if (options.receiveBuffer !== undefined && !setIntOption(c, fd, SOL_SOCKET, SO_RCVBUF, options.receiveBuffer)) {
    onError(failure(c, "setsockopt SO_RCVBUF"));
  }
  if (c.bind(fd, sockaddrIn(host, options.port)) !== 0) fail(`bind ${options.host}:${options.port}`);
  if (mc.group && mc.iface) {
    const option = mc.source ? IP_ADD_SOURCE_MEMBERSHIP : IP_ADD_MEMBERSHIP;
    if (c.setsockopt(fd, IPPROTO_IP, option, ipMreq(mc.group, mc.iface, mc.source)) !== 0) {
      const m = options.multicast!;
      const what = m.source ? `source-specific membership (${m.source} → ${m.group})` : `membership of ${m.group}`;
      fail(`cannot join ${what} on ${m.interface}`);
    }
  }
  const granted = options.receiveBuffer === undefined ? 0 : getIntOption(c, fd, SOL_SOCKET, SO_RCVBUF);

  // The datagrams land in slots of one buffer, then are moved together (copyWithin) into one batch.
  const buf = new Uint8Array(SLOTS * SLOT_BYTES);
  const headers = new Uint8Array(SLOTS * (MMSGHDR_BYTES + IOVEC_BYTES));
  const hv = new DataView(headers.buffer);
  const base = c.address(buf);
  const headerBase = c.address(headers);
  for (let i = 0; i < SLOTS; i++) {
    const iov = SLOTS * MMSGHDR_BYTES + i * IOVEC_BYTES;
    hv.setBigUint64(iov, base + BigInt(i * SLOT_BYTES), true);
    hv.setBigUint64(iov + 8, BigInt(SLOT_BYTES), true);
    hv.setBigUint64(i * MMSGHDR_BYTES + MSG_IOV, headerBase + BigInt(iov), true);
    hv.setBigUint64(i * MMSGHDR_BYTES + MSG_IOVLEN, 1n, true);
  }
  const words = new Uint32Array(headers.buffer);
  const stats: UdpReceiveStats = { datagrams: 0, bytes: 0, oddSizes: 0, batches: 0 };
  let closed = false;
  let lastError = 0;

  const socket: Polled = {
    poll() {
      for (let call = 0; call < MAX_CALLS_PER_POLL && !closed; call++) {
        const n = c.recvmmsg(fd, headers, SLOTS, MSG_DONTWAIT);
        if (n <= 0) {
          const e = n < 0 ? c.errno() : EAGAIN;
          if (e !== EAGAIN && e !== EINTR) {
            // Say so once per kind of error, not 200 times a second.
            if (e !== lastError) onError(failure(c, "recvmmsg"));
            lastError = e;
          }
          return;
        }
        let used = 0;
        for (let i = 0; i < n; i++) {
          const len = words[(i * MMSGHDR_BYTES + MSG_LEN) >> 2]!;
          const truncated = (words[(i * MMSGHDR_BYTES + MSG_FLAGS) >> 2]! & MSG_TRUNC) !== 0;
          stats.datagrams++;
          stats.bytes += len;
          if (truncated || len % TS_PACKET_SIZE !== 0) stats.oddSizes++;
          const at = i * SLOT_BYTES;
          if (used !== at) buf.copyWithin(used, at, at + len);
          used += len;
        }
        stats.batches++;
        onBatch(buf.subarray(0, used));
        if (n < SLOTS) return;
      }
    },
  };
  watch(socket);
  return {
    kind: "recvmmsg",
    granted,
    stats,
    close() {
      if (closed) return;
      closed = true;
      unwatch(socket);
      c.close(fd);
    },
  };
}
