import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { logger, maskCredentials, setLogFormat, setLogLevel } from "../../src/core/log.ts";

describe("log", () => {
  afterEach(() => {
    setLogFormat("pretty");
    setLogLevel("info");
  });

  test("passwords in URLs never reach a log line", () => {
    expect(maskCredentials("dialling rtsp://admin:S3cr%40t@10.0.0.5:554/s1 now")).toBe("dialling rtsp://admin:***@10.0.0.5:554/s1 now");
    expect(maskCredentials("http://u:p@h/x and rtsps://a:b@c/d")).toBe("http://u:***@h/x and rtsps://a:***@c/d");
    expect(maskCredentials("rtsp://10.0.0.5/s1 user@example.com a:b@c")).toBe("rtsp://10.0.0.5/s1 user@example.com a:b@c");
  });

  test("json format: one object per line with time, level, scope and the masked message; level filters", () => {
    const lines: string[] = [];
    const spy = spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    try {
      setLogFormat("json");
      setLogLevel("warn");
      const log = logger("cam");
      log.info("not shown");
      log.warn("lost rtsp://u:pw@cam/x");
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0]!);
      expect(entry).toMatchObject({ level: "warn", scope: "cam", msg: "lost rtsp://u:***@cam/x" });
      expect(Date.parse(entry.time)).toBeGreaterThan(0);
      setLogFormat("pretty");
      log.error("boom");
      expect(lines[1]).toMatch(/^\S+Z ERROR cam: boom$/);
    } finally {
      spy.mockRestore();
    }
  });
});
