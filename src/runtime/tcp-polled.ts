import { lookup } from "node:dns/promises";
import type { TcpConnection, TcpHandlers } from "./tcp.ts";
import {
  EAGAIN, EINPROGRESS, EINTR, errnoError, IPPROTO_TCP, MSG_DONTWAIT, MSG_NOSIGNAL, POLLERR, POLLHUP, POLLOUT, SO_ERROR, SOCK_CLOEXEC,
  SOCK_NONBLOCK, SOCK_STREAM, sockaddr, SOL_SOCKET, TCP_NODELAY, type TcpSocketCalls,
} from "./tcp-linux.ts";

/**
 * connectTcp for plain TCP with the socket read by us, through the
 * runtime's FFI, from one timer for every connection.
 *
 * A camera writes each RTP packet (~1400 bytes) on its own, about 190 a
 * second, so a socket the runtime watches with epoll wakes the process once
 * per packet: with 10 cameras that wake-up (epoll_wait, the read, the
 * callback) was the largest part of the server's CPU, a third of it in the
 * kernel, and pausing sockets between reads costs an epoll_ctl each. Here
 * the sockets are not in the runtime's epoll set at all: every POLL_MS one
 * timer does a non-blocking recv on each open socket into one kept buffer
 * and hands a copy of what came to `onData`. A recv that returned less than
 * the buffer has emptied the socket, so there is no second call to learn
 * EAGAIN. Writes go straight to send; what the kernel does not take waits in
 * our queue (`pendingBytes`) and is retried on every tick.
 *
 * Same contract as connectTcp (tcp.ts): a deadline (name resolution
 * included), every chunk in memory of its own, exactly one close.
 */

/**
 * How often every socket is read. The cost is one recv per socket and
 * tick, data or not, so the interval must be long enough for a recv to
 * take several packets: in bench/rtsp-ingest/socket-read.ts (one packet
 * every 5 ms per socket) 5 ms cost as much as Bun.connect's read per
 * packet, 10 ms 30 % less, 20 ms 40 % less. 10 ms adds at most 10 ms of
 * latency (less than a frame at 25 fps, where a camera sends each frame
 * as one burst), and the kernel's receive buffer (128 KiB at least,
 * autotuned) holds 100 Mbit/s for that long.
 */
const POLL_MS = 10;
/** One recv's room. More than a tick's data for any camera; a fuller socket is read again. */
const READ_BYTES = 64 * 1024;
/** recv calls per socket and tick at most (4 MiB), so one flood cannot hold the event loop. */
const MAX_READS_PER_POLL = 64;

interface Polled {
  poll(): void;
}

const polled = new Set<Polled>();
let timer: ReturnType<typeof setInterval> | undefined;
/** The buffer every recv lands in; JavaScript runs on one thread, so one is enough. */
let readBuffer: Uint8Array | undefined;

function watch(p: Polled): void {
  polled.add(p);
  timer ??= setInterval(() => {
    for (const p of polled) p.poll();
  }, POLL_MS);
}

function unwatch(p: Polled): void {
  polled.delete(p);
  if (polled.size === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

/** False with TCP_POLL=0 (the runtime's sockets forced, to compare or to work around a problem; not a MEDIA_SERVER_* setting). */
export function tcpPollWanted(env: (name: string) => string | undefined): boolean {
  return env("TCP_POLL") !== "0";
}

/** Connections this module polls now (for tests: the timer runs only while there are some). */
export function polledConnections(): number {
  return polled.size;
}

/**
 * Connects through `c`; for an address the libc path cannot take (a scoped
 * IPv6 one), `fallback` (the runtime's own socket) gets the rest of the time.
 */
export async function connectTcpPolled(
  c: TcpSocketCalls,
  host: string,
  port: number,
  timeoutMs: number,
  handlers: TcpHandlers,
  fallback: (host: string, port: number, timeoutMs: number, handlers: TcpHandlers) => Promise<TcpConnection>,
): Promise<TcpConnection> {
  const started = Date.now();
  const late = () => new Error(`no TCP connection to ${host}:${port} within ${timeoutMs} ms`);
  const address = await resolve(host, timeoutMs, late);
  const left = timeoutMs - (Date.now() - started);
  if (left <= 0) throw late();
  const sa = sockaddr(address, port);
  if (!sa) return fallback(address, port, left, handlers);
  return open(c, host, port, sa, left, late, handlers);
}

/** The runtime's resolver (getaddrinfo: /etc/hosts, DNS), bounded by the deadline; a numeric host is itself. */
async function resolve(host: string, timeoutMs: number, late: () => Error): Promise<string> {
  const name = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (sockaddr(name, 0)) return name;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const found = lookup(name).then(
      (r) => r.address,
      (e: unknown) => Promise.reject(new Error(`cannot resolve ${name}: ${e instanceof Error ? e.message : String(e)}`)),
    );
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), timeoutMs)));
    return await Promise.race([found, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function open(
  c: TcpSocketCalls,
  host: string,
  port: number,
  sa: Uint8Array,
  timeoutMs: number,
  late: () => Error,
  handlers: TcpHandlers,
): Promise<TcpConnection> {
  const where = `${host}:${port}`;
  const fd = c.socket(sa[0]!, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Promise.reject(errnoError(c, "cannot open a TCP socket"));
  // RTSP requests and receiver reports are small and wait for nothing (as noDelay on node:net).
  c.setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, Uint8Array.of(1, 0, 0, 0));
  if (c.connect(fd, sa) !== 0) {
    const e = c.errno();
    if (e !== EINPROGRESS && e !== EINTR) {
      c.close(fd);
      return Promise.reject(errnoError(c, `cannot connect to ${where}`, e));
    }
  }

  return new Promise((resolvePromise, reject) => {
    let state: "connecting" | "open" | "closed" = "connecting";
    /** Bytes written but not taken by the kernel yet, in order; callers bound it through pendingBytes (rtsp-connection.ts). */
    const queue: Uint8Array[] = [];
    let queued = 0;
    /** A send that failed: the connection ends on the next tick, not inside the caller's write(). */
    let failed: Error | undefined;
    const pollfd = new Uint8Array(8);
    new DataView(pollfd.buffer).setInt32(0, fd, true);
    pollfd[4] = POLLOUT;

    const finish = (error?: Error) => {
      if (state === "closed") return;
      const was = state;
      state = "closed";
      clearTimeout(deadline);
      unwatch(socket);
      c.close(fd);
      queue.length = 0;
      queued = 0;
      if (was === "connecting") reject(error ?? new Error(`connection to ${where} closed`));
      else handlers.onClose(error);
    };
    const deadline = setTimeout(() => finish(late()), timeoutMs);

    /** Bytes the kernel took (0 when it is full or the send failed). */
    const send = (bytes: Uint8Array): number => {
      const n = c.send(fd, bytes, MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n >= 0) return n;
      const e = c.errno();
      if (e !== EAGAIN && e !== EINTR) failed ??= errnoError(c, `write to ${where}`, e);
      return 0;
    };
    const flush = () => {
      while (queue.length > 0 && !failed) {
        const head = queue[0]!;
        const n = send(head);
        queued -= n;
        if (n < head.length) {
          queue[0] = head.subarray(n);
          return;
        }
        queue.shift();
      }
    };

    const connection: TcpConnection = {
      write(bytes) {
        if (state !== "open" || bytes.length === 0) return;
        if (queue.length > 0) {
          queue.push(bytes);
          queued += bytes.length;
          return;
        }
        const n = send(bytes);
        if (n < bytes.length && !failed) {
          queue.push(bytes.subarray(n));
          queued += bytes.length - n;
        }
      },
      close() {
        finish();
      },
      get pendingBytes() {
        return queued;
      },
    };

    const connected = (): boolean => {
      if (c.poll(pollfd) <= 0) return false;
      const revents = pollfd[6]! | (pollfd[7]! << 8);
      if ((revents & (POLLOUT | POLLERR | POLLHUP)) === 0) return false;
      const value = new Int32Array(1);
      const length = Uint32Array.of(4);
      const r = c.getsockopt(fd, SOL_SOCKET, SO_ERROR, new Uint8Array(value.buffer), new Uint8Array(length.buffer));
      const e = r === 0 ? value[0]! : c.errno();
      if (e !== 0) {
        finish(errnoError(c, `cannot connect to ${where}`, e));
        return false;
      }
      state = "open";
      clearTimeout(deadline);
      resolvePromise(connection);
      return true;
    };

    const socket: Polled = {
      poll() {
        // Read from the next tick on: the caller gets the connection (a microtask) before its first chunk.
        if (state === "connecting") return void connected();
        if (queue.length > 0) flush();
        if (failed) return finish(failed);
        const buf = (readBuffer ??= new Uint8Array(READ_BYTES));
        for (let reads = 0; reads < MAX_READS_PER_POLL && state === "open"; reads++) {
          const n = c.recv(fd, buf, MSG_DONTWAIT);
          if (n > 0) {
            // A copy: RtspReader keeps views of each chunk, and the next recv reuses buf.
            handlers.onData(buf.slice(0, n));
            if (n < buf.length) return;
          } else if (n === 0) {
            return finish();
          } else {
            const e = c.errno();
            if (e !== EAGAIN && e !== EINTR) finish(errnoError(c, `read from ${where}`, e));
            return;
          }
        }
      },
    };
    watch(socket);
  });
}
