import { connect } from "node:net";

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
