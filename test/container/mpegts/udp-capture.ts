import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";

/** Enough for demo.ts (~650 datagrams of 1316 bytes) with room to spare. */
const MAX_DATAGRAMS = 4000;
/** ffmpeg sends demo.ts in well under a second without -re; this only stops a stuck run. */
const MAX_WAIT_MS = 5000;
/** Datagrams still in flight when ffmpeg exits arrive within this. */
const DRAIN_MS = 200;
/** A loopback burst of ~1 MB must fit in the socket's receive buffer. */
const RECEIVE_BUFFER = 4 << 20;

/**
 * Has ffmpeg send `file` as MPEG-TS over UDP to 127.0.0.1 (7 packets a
 * datagram, as IPTV senders do) and returns the datagrams as received.
 */
export async function captureUdp(file: string): Promise<Uint8Array[]> {
  const socket = createSocket({ type: "udp4", recvBufferSize: RECEIVE_BUFFER });
  const got: Uint8Array[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  socket.on("message", (m: Uint8Array) => {
    if (got.length < MAX_DATAGRAMS) got.push(new Uint8Array(m));
  });
  const url = `udp://127.0.0.1:${socket.address().port}?pkt_size=1316`;
  const ffmpeg = spawn("ffmpeg", ["-v", "error", "-i", file, "-c", "copy", "-f", "mpegts", url], { stdio: "ignore" });
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, MAX_WAIT_MS);
      ffmpeg.once("exit", () => setTimeout(() => (clearTimeout(timer), resolve()), DRAIN_MS));
      ffmpeg.once("error", () => (clearTimeout(timer), resolve()));
    });
  } finally {
    if (ffmpeg.exitCode === null) ffmpeg.kill();
    socket.close();
  }
  return got;
}
