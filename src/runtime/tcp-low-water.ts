import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { type LinuxSocketCalls, SOL_SOCKET } from "./udp-linux.ts";

/** socket(7): the kernel reports a TCP socket readable only once this many bytes are queued (Linux >= 2.6.28 for poll). */
const SO_RCVLOWAT = 18;

/**
 * Sets a TCP connection's receive low-water mark. Neither runtime exposes a
 * client socket's fd, so it is found once through /proc: the socket inode of
 * the /proc/net/tcp{,6} line with our two ports, then the /proc/self/fd link
 * to that inode. Returns a setter, or undefined where that cannot be done
 * (not Linux, no FFI, /proc unreadable), in which case nothing changes.
 */
export function lowWaterSetter(calls: LinuxSocketCalls | undefined, localPort: number, remotePort: number): ((bytes: number) => boolean) | undefined {
  if (!calls) return undefined;
  const fd = tcpSocketFd(localPort, remotePort);
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

/** The fd of our TCP socket from `localPort` to `remotePort`, if /proc can tell. */
export function tcpSocketFd(localPort: number, remotePort: number): number | undefined {
  const inode = socketInode(localPort, remotePort);
  if (inode === undefined) return undefined;
  const target = `socket:[${inode}]`;
  let fds: string[];
  try {
    fds = readdirSync("/proc/self/fd");
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) return Number(fd);
    } catch {
      // Closed since the listing.
    }
  }
  return undefined;
}

function socketInode(localPort: number, remotePort: number): string | undefined {
  const local = `:${hexPort(localPort)}`;
  const remote = `:${hexPort(remotePort)}`;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ..."
    for (const line of text.split("\n")) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1]!.endsWith(local) && f[2]!.endsWith(remote) && f[9] !== "0") return f[9];
    }
  }
  return undefined;
}

const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");
