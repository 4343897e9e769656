import { createSocket, type Socket } from "node:dgram";

/** A plain UDP socket for RTP/RTCP: one callback per datagram (RTP rates are low). */
export interface UdpSocket {
  readonly port: number;
  send(bytes: Uint8Array, port: number, host: string): void;
  close(): void;
}

export function bindUdp(port: number, host: string, onMessage: (msg: Uint8Array, from: { address: string; port: number }) => void): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket("udp4");
    socket.once("error", reject);
    socket.on("message", (msg: Uint8Array, rinfo) => onMessage(msg, { address: rinfo.address, port: rinfo.port }));
    socket.bind(port, host, () => {
      socket.off("error", reject);
      socket.on("error", () => {}); // ICMP port unreachable and the like: RTP is best effort
      resolve({
        port: socket.address().port,
        send: (bytes, p, h) => socket.send(bytes, p, h),
        close: () => {
          try {
            socket.close();
          } catch {
            // already closed
          }
        },
      });
    });
  });
}

/** RTP on an even port and RTCP on the next (RFC 3550 11); a few tries since the pair must be free. */
export async function bindUdpPair(
  host: string,
  onRtp: (msg: Uint8Array, from: { address: string; port: number }) => void,
  onRtcp: (msg: Uint8Array, from: { address: string; port: number }) => void,
): Promise<[UdpSocket, UdpSocket]> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const rtp = await bindUdp(0, host, onRtp);
    if (rtp.port % 2 !== 0 || rtp.port === 65535) {
      rtp.close();
      continue;
    }
    try {
      return [rtp, await bindUdp(rtp.port + 1, host, onRtcp)];
    } catch {
      rtp.close();
    }
  }
  throw new Error("no free even/odd UDP port pair for RTP/RTCP");
}
