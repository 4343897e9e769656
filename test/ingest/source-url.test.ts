import { describe, expect, test } from "bun:test";
import { maskSource, parseSource } from "../../src/ingest/source-url.ts";
import { parseConfig } from "../../src/config/load.ts";

describe("source URLs", () => {
  test("valid forms", () => {
    expect(parseSource("publisher")).toEqual({ kind: "publisher" });
    expect(parseSource("udp://0.0.0.0:1234")).toMatchObject({ kind: "udp", host: "0.0.0.0", port: 1234, multicast: false });
    expect(parseSource("udp://239.0.0.1:1234?interface=127.0.0.1&source=10.0.0.5&program=2")).toMatchObject({
      kind: "udp",
      multicast: true,
      interface: "127.0.0.1",
      sourceAddress: "10.0.0.5",
      program: 2,
    });
    expect(parseSource("http://cam.example/live.ts?program=3")).toMatchObject({ kind: "http", program: 3 });
    expect(parseSource("rtsp://cam/live")).toEqual({ kind: "rtsp", url: "rtsp://cam/live", tls: false });
    expect(parseSource("rtsps://u:p@cam:322/live")).toEqual({ kind: "rtsp", url: "rtsps://u:p@cam:322/live", tls: true });
  });

  test("rtsps: UDP transport and a malformed fingerprint are refused by the config", () => {
    const error = (path: object) => {
      try {
        parseConfig({ paths: { cam: path } }, "t.yaml");
        return "";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(error({ source: "rtsps://cam/live", transport: "udp" })).toContain("transport must be auto or tcp");
    expect(error({ source: "rtsp://cam/live", transport: "udp" })).toBe("");
    expect(error({ source: "rtsps://cam/live", tlsFingerprint: "ab:cd" })).toContain("64 hex digits");
    expect(error({ source: "rtsps://cam/live", tlsFingerprint: "AB:".repeat(31) + "CD" })).toBe("");
  });

  test("each mistake is named", () => {
    const cases: [string, RegExp][] = [
      ["nonsense", /not a URL/],
      ["rtmp://x/y", /unsupported source scheme/],
      ["udp://127.0.0.1", /needs a port/],
      ["udp://127.0.0.1:70000", /needs a port|not a URL/],
      ["udp://cam.local:1234", /IPv4/],
      ["udp://239.1.1.1:1234", /needs \?interface=/],
      ["udp://239.1.1.1:1234?interface=eth0", /interface must be/],
      ["udp://127.0.0.1:1234?interface=127.0.0.1", /multicast groups only/],
      ["udp://127.0.0.1:1234?ttl=3", /unknown udp source option "ttl"/],
      ["udp://127.0.0.1:1234?program=zero", /program must be/],
    ];
    for (const [value, reason] of cases) {
      const r = parseSource(value);
      expect(typeof r).toBe("string");
      expect(r as string).toMatch(reason);
    }
  });

  test("passwords are masked", () => {
    expect(maskSource("http://u:secret@host/x.ts")).toBe("http://u:***@host/x.ts");
    expect(maskSource("udp://1.2.3.4:5")).toBe("udp://1.2.3.4:5");
  });

  test("the config refuses bad sources and bad path names with the key path", () => {
    let message = "";
    try {
      parseConfig({ paths: { cam: { source: "udp://239.1.1.1:5000" }, "../x": {}, demo: {}, p: { publishUser: "a" } } }, "t.yaml");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("paths.cam.source");
    expect(message).toContain("interface");
    expect(message).toContain("path names");
    expect(message).toContain("taken by the demo");
    expect(message).toContain("publishUser and publishPassword go together");
  });
});
