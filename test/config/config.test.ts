import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { configDocs } from "../../scripts/config-docs.ts";
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
