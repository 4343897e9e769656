import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { configDocs } from "../../scripts/config-docs.ts";
import { applySettingsFromEnv } from "../../src/config/env.ts";
import { applyEnv, parseConfig, readConfigDocument } from "../../src/config/load.ts";
import { ConfigError } from "../../src/core/errors.ts";

describe("config", () => {
  test("defaults fill an empty file", () => {
    const c = parseConfig(readConfigDocument("", "empty.yaml"));
    expect(c.http.port).toBe(8888);
    expect(c.hls.segmentDuration).toBe(2);
    expect(c.hls.segmentCount).toBe(7);
    expect(c.hls.closeAfter).toBe(60);
    expect(c.demo.enabled).toBe(true);
    expect(c.ring.slowReader).toBe("skip");
  });

  test("every problem is listed with its key path", () => {
    const doc = readConfigDocument("hls:\n  segmentCount: 1\n  bogus: true\nhttp:\n  port: 'x'\n", "bad.yaml");
    let message = "";
    try {
      parseConfig(doc, "bad.yaml");
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toContain("bad.yaml");
    expect(message).toContain("hls.segmentCount");
    expect(message).toContain("bogus");
    expect(message).toContain("http.port");
  });

  test("problems name the line in the file", () => {
    const text = "hls:\n  segmentCount: 1\n  bogus: true\nhttp:\n  port: 'x'\npaths:\n  cam:\n    source: 42\n";
    let message = "";
    try {
      parseConfig(readConfigDocument(text, "bad.yaml"), "bad.yaml", text);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("hls.segmentCount (line 2)");
    expect(message).toMatch(/hls \(line 3\): .*bogus/);
    expect(message).toContain("http.port (line 5)");
    expect(message).toContain("paths.cam.source (line 8)");
  });

  test("MEDIA_SERVER_* variables set any setting, typed by the schema", () => {
    const env: Record<string, string> = {
      MEDIA_SERVER_HTTP__PORT: "8080",
      MEDIA_SERVER_HLS__SEGMENT_DURATION: "1.5",
      MEDIA_SERVER_RTSP__RTP_PORT: "null",
      MEDIA_SERVER_DEMO__ENABLED: "false",
      MEDIA_SERVER_PATHS__CAM1__SOURCE: "rtsp://u:p@10.0.0.9/stream",
      MEDIA_SERVER_PATHS__CAM1__ON_DEMAND: "true",
      MEDIA_SERVER_PATHS__CAM1__READ_PASSWORD: "123",
      MEDIA_SERVER_PATHS__CAM1__READ_USER: "nvr",
      MEDIA_SERVER_CONFIG: "/etc/ms.yaml",
      OTHER: "x",
    };
    const doc = applySettingsFromEnv({ http: { port: 1, host: "127.0.0.1" }, paths: { cam1: { transport: "tcp" } } }, Object.keys(env), (n) => env[n]);
    const c = parseConfig(doc);
    expect([c.http.port, c.http.host, c.hls.segmentDuration, c.rtsp.rtpPort, c.demo.enabled]).toEqual([8080, "127.0.0.1", 1.5, null, false]);
    expect(c.paths.cam1).toMatchObject({ source: "rtsp://u:p@10.0.0.9/stream", onDemand: true, transport: "tcp", readUser: "nvr", readPassword: "123" });
  });

  test("an unknown MEDIA_SERVER_* variable or a bad value is refused, naming it", () => {
    const env: Record<string, string> = { MEDIA_SERVER_HTTP__PROT: "1", MEDIA_SERVER_NOPE: "1", MEDIA_SERVER_HLS: "1" };
    let message = "";
    try {
      applySettingsFromEnv({}, Object.keys(env), (n) => env[n]);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    for (const name of Object.keys(env)) expect(message).toContain(name);
    expect(() => parseConfig(applySettingsFromEnv({}, ["MEDIA_SERVER_HTTP__PORT"], () => "eighty"))).toThrow(/http\.port/);
  });

  test("fuzz: mangled config files give a ConfigError or a config, never anything else", () => {
    const seed = [
      "http: { port: 8888, host: 127.0.0.1 }",
      "hls: { segmentDuration: 2, segmentCount: 7, closeAfter: 60 }",
      "rtsp:",
      "  rtpPort: null",
      "paths:",
      '  gate: { source: "rtsp://admin:secret@192.168.1.64/stream1", onDemand: true, transport: tcp }',
      "  tv:",
      "    source: udp://239.0.0.1:1234?interface=127.0.0.1",
      "    timeout: 5",
      "  encoder: { source: publisher, publishUser: enc, publishPassword: pw }",
      "",
    ].join("\n");
    let state = 12345;
    const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ":-'\"[]{}#&*!|>%@` \n\t0123456789abcnul~";
    for (let i = 0; i < 400; i++) {
      const chars = [...seed];
      for (let k = 0, n = 1 + Math.floor(rand() * 8); k < n; k++) {
        const at = Math.floor(rand() * chars.length);
        const op = rand();
        if (op < 0.4) chars[at] = alphabet[Math.floor(rand() * alphabet.length)]!;
        else if (op < 0.7) chars.splice(at, 1 + Math.floor(rand() * 20));
        else chars.splice(at, 0, ...chars.slice(Math.floor(rand() * chars.length), Math.floor(rand() * chars.length)));
      }
      const text = chars.join("");
      try {
        parseConfig(readConfigDocument(text, "fuzz.yaml"), "fuzz.yaml", text);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw new Error(`${String(e)} for:\n${text}`);
      }
    }
  });

  test("~pattern paths: a regular expression, for publishers only", () => {
    const c = parseConfig({ paths: { "~^cams/[a-z]+$": { source: "publisher" }, cam: { source: "publisher" } } });
    expect(Object.keys(c.paths)).toEqual(["~^cams/[a-z]+$", "cam"]);
    expect(() => parseConfig({ paths: { "~^cams/(": { source: "publisher" } } })).toThrow(/not a regular expression/);
    expect(() => parseConfig({ paths: { "~^cams/.+$": { source: "rtsp://cam/1" } } })).toThrow(/publishers only/);
    expect(() => parseConfig({ paths: { "a/../b": { source: "publisher" } } })).toThrow(/path names/);
  });

  test("broken YAML is a ConfigError naming the file and line", () => {
    expect(() => readConfigDocument("hls: [1, 2\nfoo", "broken.yaml")).toThrow(/broken\.yaml.*line/s);
  });

  test("PORT overrides the file", () => {
    expect(parseConfig(applyEnv({ http: { port: 1 } }, () => "9999")).http.port).toBe(9999);
    expect(() => applyEnv({}, () => "abc")).toThrow(ConfigError);
  });

  test("docs/configuration.md is generated from the current schema", () => {
    expect(readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8")).toBe(configDocs());
  });
});
