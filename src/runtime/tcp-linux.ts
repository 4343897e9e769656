/**
 * Linux's TCP client constants, struct layouts and libc calls for the
 * polled TCP client (tcp-polled.ts), the same on x86_64 and aarch64:
 * socket(7), tcp(7), ipv6(7), poll(2). No FFI here: tcp-libc.ts binds the
 * calls on Bun, tcp-libc-deno.ts on Deno.
 */

export const AF_INET = 2;
export const AF_INET6 = 10;
export const SOCK_STREAM = 1;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_ERROR = 4;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const MSG_DONTWAIT = 0x40;
/** No SIGPIPE when the peer is gone (it would end the process): send fails with EPIPE instead. */
export const MSG_NOSIGNAL = 0x4000;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const EINTR = 4;
export const EAGAIN = 11;
export const EINPROGRESS = 115;

/** The libc calls the client makes; buffers are typed arrays, each binding turns them into pointers. */
export interface TcpSocketCalls {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, address: Uint8Array): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array): number;
  /** `value` and `length` (a u32 holding value's size) are written by the kernel. */
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, length: Uint8Array): number;
  /** poll(2) on one struct pollfd (8 bytes: fd, events, revents), timeout 0. */
  poll(pollfd: Uint8Array): number;
  /** recv(fd, bytes, bytes.length, flags). */
  recv(fd: number, bytes: Uint8Array, flags: number): number;
  /** send(fd, bytes, bytes.length, flags). */
  send(fd: number, bytes: Uint8Array, flags: number): number;
  close(fd: number): number;
  /** errno of the last failed call on this thread. */
  errno(): number;
  strerror(code: number): string;
}

/**
 * libc's functions as both FFIs expose them: a typed array where C takes a
 * pointer, a number for size_t. ssize_t results are declared 32-bit: no
 * BigInt per call (Deno returns one for 64-bit results), and every length
 * here is far below 2^31, so the low half of the result register (eax / w0
 * on x86_64 / aarch64) holds the value, -1 included.
 */
export interface LibcTcpSymbols {
  socket(domain: number, type: number, protocol: number): number;
  connect(fd: number, address: Uint8Array, length: number): number;
  setsockopt(fd: number, level: number, name: number, value: Uint8Array, length: number): number;
  getsockopt(fd: number, level: number, name: number, value: Uint8Array, length: Uint8Array): number;
  poll(fds: Uint8Array, n: number, timeout: number): number;
  recv(fd: number, bytes: Uint8Array, length: number, flags: number): number;
  send(fd: number, bytes: Uint8Array, length: number, flags: number): number;
  close(fd: number): number;
}

/** The calls every runtime binds alike; errno and strerror are each FFI's own. */
export function tcpCalls(s: LibcTcpSymbols, own: Pick<TcpSocketCalls, "errno" | "strerror">): TcpSocketCalls {
  return {
    socket: (domain, type, protocol) => s.socket(domain, type, protocol),
    connect: (fd, address) => s.connect(fd, address, address.byteLength),
    setsockopt: (fd, level, name, value) => s.setsockopt(fd, level, name, value, value.byteLength),
    getsockopt: (fd, level, name, value, length) => s.getsockopt(fd, level, name, value, length),
    poll: (pollfd) => s.poll(pollfd, 1, 0),
    recv: (fd, bytes, flags) => s.recv(fd, bytes, bytes.byteLength, flags),
    send: (fd, bytes, flags) => s.send(fd, bytes, bytes.byteLength, flags),
    close: (fd) => s.close(fd),
    ...own,
  };
}

/** "what: strerror(code) (errno code)". */
export function errnoError(c: TcpSocketCalls, what: string, code = c.errno()): Error {
  return new Error(`${what}: ${c.strerror(code)} (errno ${code})`);
}

/**
 * struct sockaddr_in or sockaddr_in6 for a numeric address, or undefined
 * for anything else (a scoped IPv6 address like fe80::1%eth0 needs
 * if_nametoindex: the caller uses the runtime's socket then).
 */
export function sockaddr(address: string, port: number): Uint8Array | undefined {
  const v4 = ipv4Bytes(address);
  if (v4) {
    // sockaddr_in: family (host order), port and address (network order), 8 bytes of zeros.
    const sa = new Uint8Array(16);
    sa[0] = AF_INET;
    sa[2] = port >> 8;
    sa[3] = port & 0xff;
    sa.set(v4, 4);
    return sa;
  }
  const v6 = ipv6Bytes(address);
  if (!v6) return undefined;
  // sockaddr_in6: family, port, flow info (0), address, scope id (0).
  const sa = new Uint8Array(28);
  sa[0] = AF_INET6;
  sa[2] = port >> 8;
  sa[3] = port & 0xff;
  sa.set(v6, 8);
  return sa;
}

function ipv4Bytes(address: string): Uint8Array | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((x) => x <= 255) ? Uint8Array.from(b) : undefined;
}

/** RFC 4291 2.2 text forms: eight groups, one "::" for a run of zero groups, an IPv4 tail. */
function ipv6Bytes(address: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(address)) return undefined;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const groups = (text: string): number[] | undefined => {
    if (text === "") return [];
    const out: number[] = [];
    const parts = text.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = ipv4Bytes(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const zeros = 8 - head.length - tail.length;
  if (halves.length === 2 ? zeros < 1 : zeros !== 0) return undefined;
  const all = [...head, ...new Array<number>(zeros).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}
