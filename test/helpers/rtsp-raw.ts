import { connect, type Socket } from "node:net";

/** Raw RTSP over one TCP connection: sends each request and collects each answer's status line (3 s each at most). */
export async function rawExchange(url: string, requests: string[]): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let buffer = "";
  socket.on("data", (b) => (buffer += b.toString("latin1")));
  await new Promise<void>((r) => socket.once("connect", () => r()));
  const statuses: string[] = [];
  for (const req of requests) {
    const before = buffer.length;
    socket.write(req);
    const until = Date.now() + 3000;
    while (Date.now() < until && !/\r\n\r\n/.test(buffer.slice(before))) await new Promise((r) => setTimeout(r, 20));
    statuses.push(/RTSP\/1\.0 (\d{3} [^\r]*)/.exec(buffer.slice(before))?.[1] ?? "no answer");
  }
  socket.destroy();
  return statuses;
}

/** Server side of a fake RTSP peer: calls `onRequest` with each request head (bodies are not expected) as it arrives on `socket`. */
export function onRtspRequests(socket: Socket, onRequest: (method: string, cseq: string, head: string) => void): void {
  let buffer = "";
  socket.on("error", () => {});
  socket.on("data", (b) => {
    buffer += b.toString("latin1");
    for (let end = buffer.indexOf("\r\n\r\n"); end >= 0; end = buffer.indexOf("\r\n\r\n")) {
      const head = buffer.slice(0, end);
      buffer = buffer.slice(end + 4);
      onRequest(head.split(" ")[0]!, /CSeq:\s*(\d+)/i.exec(head)?.[1] ?? "0", head);
    }
  });
}
