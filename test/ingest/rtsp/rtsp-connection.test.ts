import { expect, test } from "bun:test";
import { createServer, type Socket } from "node:net";
import { MAX_PENDING_REPORT_BYTES, RtspConnection } from "../../../src/ingest/rtsp/rtsp-connection.ts";
import { bunRuntime } from "../../../src/runtime/bun.ts";

test("a camera that never reads: receiver reports stop queueing past MAX_PENDING_REPORT_BYTES", async () => {
  let camera: Socket | undefined;
  const server = createServer((s) => {
    camera = s;
    s.pause();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const conn = await RtspConnection.open(bunRuntime, { host: "127.0.0.1", port, timeoutMs: 5000, onInterleaved: () => {}, onClose: () => {} });
  try {
    // 4000 frames of 60 KB (240 MB) is far past what the kernel's socket buffers take.
    const report = new Uint8Array(60_000);
    for (let k = 0; k < 4000; k++) conn.sendInterleaved(1, report);
    expect(camera).toBeDefined();
    expect(conn.pendingBytes).toBeGreaterThan(0);
    expect(conn.pendingBytes).toBeLessThanOrEqual(MAX_PENDING_REPORT_BYTES + report.length + 4);
  } finally {
    conn.close();
    server.close();
  }
});
