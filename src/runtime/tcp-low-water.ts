import { getIntOption, type LinuxSocketCalls, SOL_SOCKET } from "./udp-linux.ts";

/** socket(7): the kernel reports a TCP socket readable only once this many bytes are queued (Linux >= 2.6.28 for poll). */
const SO_RCVLOWAT = 18;
const SO_TYPE = 3;
const SOCK_STREAM = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const EBADF = 9;
/** Unused fds in a row after which the scan stops: the kernel hands out the lowest free fd, so sockets sit low. */
const MAX_FD_GAP = 1024;

/**
 * Sets a TCP connection's receive low-water mark. Neither runtime exposes a
 * client socket's fd, so it is found once by asking each fd for its two
 * ports (getsockname, getpeername). This needs only the FFI: /proc would do
 * too, but Deno reads /proc/self only under --allow-all. Returns a setter,
 * or undefined where that cannot be done (not Linux, no FFI), in which case
 * nothing changes.
 */
export function lowWaterSetter(calls: LinuxSocketCalls | undefined, localPort: number, remotePort: number): ((bytes: number) => boolean) | undefined {
  if (!calls) return undefined;
  const fd = tcpSocketFd(calls, localPort, remotePort);
  if (fd === undefined) return undefined;
  const value = new Uint8Array(4);
  const view = new DataView(value.buffer);
  return (bytes) => {
    view.setInt32(0, Math.max(1, Math.floor(bytes)), true);
    return calls.setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, value) === 0;
  };
}

/** A TcpConnection.setReceiveLowWater that looks the socket up at its first call (`make`), and says false for good if that fails. */
export function lazyLowWater(make: () => ((bytes: number) => boolean) | undefined): (bytes: number) => boolean {
  let set: ((bytes: number) => boolean) | null | undefined;
  return (bytes) => {
    if (set === undefined) set = make() ?? null;
    return set !== null && set(bytes);
  };
}

/** The fd of our connected TCP socket from `localPort` to `remotePort` (IPv4 or IPv6). */
export function tcpSocketFd(calls: LinuxSocketCalls, localPort: number, remotePort: number): number | undefined {
  // sockaddr_in and sockaddr_in6 both start with the family (host order) and the port (network order).
  const address = new Uint8Array(128);
  const view = new DataView(address.buffer);
  const length = new Uint32Array(1);
  const lengthBytes = new Uint8Array(length.buffer);
  /** The port, -1 for no IP socket (a file, a pipe, a Unix socket), -2 for no such fd. */
  const port = (get: LinuxSocketCalls["getsockname"], fd: number): number => {
    length[0] = address.length;
    if (get(fd, address, lengthBytes) !== 0) return calls.errno() === EBADF ? -2 : -1;
    const family = view.getUint16(0, true);
    return family === AF_INET || family === AF_INET6 ? view.getUint16(2) : -1;
  };
  for (let fd = 3, gap = 0; gap < MAX_FD_GAP; fd++) {
    const local = port(calls.getsockname, fd);
    gap = local === -2 ? gap + 1 : 0;
    if (local !== localPort || port(calls.getpeername, fd) !== remotePort) continue;
    if (getIntOption(calls, fd, SOL_SOCKET, SO_TYPE) === SOCK_STREAM) return fd;
  }
  return undefined;
}
