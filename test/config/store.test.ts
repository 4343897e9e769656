import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applySettingsFromEnv } from "../../src/config/env.ts";
import { parseConfig, readConfigDocument } from "../../src/config/load.ts";
import type { PathConfig } from "../../src/config/schema.ts";
import { ConfigStore } from "../../src/config/store.ts";
import { writeFileAtomic } from "../../src/runtime/atomic-write.ts";

const YAML = `# front desk server
http: { port: 8888 }
paths:
  # the gate camera, on demand
  gate: { source: "rtsp://admin:pw@10.0.0.5/s1", onDemand: true }
`;

function storeFor(text: string, name = "config.yaml", env: Record<string, string> = {}) {
  const path = join(mkdtempSync(join(tmpdir(), "ms-store-")), name);
  writeFileSync(path, text);
  const applied: Record<string, PathConfig>[] = [];
  const config = parseConfig(applySettingsFromEnv(readConfigDocument(text, path), Object.keys(env), (n) => env[n]));
  const store = new ConfigStore(config, { file: { path, text }, envNames: Object.keys(env), env: (n) => env[n], writeFileAtomic }, async (paths) => {
    applied.push(paths);
  });
  return { store, path, applied, file: () => readFileSync(path, "utf8") };
}

describe("ConfigStore", () => {
  test("adding a path writes it back with the comments kept, then applies it", async () => {
    const { store, applied, file } = storeFor(YAML);
    const r = await store.change("door", { source: "publisher", publishUser: "enc", publishPassword: "x" }, "create");
    expect(r.ok).toBe(true);
    expect(file()).toContain("# the gate camera, on demand");
    expect(file()).toContain("# front desk server");
    const reread = parseConfig(readConfigDocument(file(), "again"));
    expect(reread.paths.door).toMatchObject({ source: "publisher", publishUser: "enc" });
    expect(reread.paths.gate?.onDemand).toBe(true);
    expect(Object.keys(applied.at(-1)!)).toEqual(["gate", "door"]);
    expect(store.config.paths.door?.source).toBe("publisher");
  });

  test("a rejected change leaves the file and the running config as they were", async () => {
    const { store, applied, file } = storeFor(YAML);
    const before = file();
    const bad = await store.change("door", { source: "publisher", bogus: 1, timeout: "soon" }, "create");
    expect(bad).toMatchObject({ ok: false, status: 400 });
    if (!bad.ok) expect(bad.issues?.map((i) => i.field).sort()).toEqual(["paths.door.bogus", "paths.door.timeout"]);
    expect(await store.change("gate", { source: "publisher" }, "create")).toMatchObject({ ok: false, status: 409 });
    expect(await store.change("nope", { timeout: 3 }, "merge")).toMatchObject({ ok: false, status: 404 });
    expect(await store.change("demo", { source: "publisher" }, "create")).toMatchObject({ ok: false, status: 400 });
    expect(await store.change("../x", { source: "publisher" }, "create")).toMatchObject({ ok: false, status: 400 });
    expect(file()).toBe(before);
    expect(applied).toEqual([]);
    expect(Object.keys(store.config.paths)).toEqual(["gate"]);
  });

  test("PATCH merges (null removes a setting); DELETE removes the path", async () => {
    const { store, file } = storeFor(YAML);
    expect((await store.change("gate", { transport: "tcp", onDemand: null }, "merge")).ok).toBe(true);
    let c = parseConfig(readConfigDocument(file(), "x"));
    expect(c.paths.gate).toMatchObject({ source: "rtsp://admin:pw@10.0.0.5/s1", transport: "tcp", onDemand: false });
    expect((await store.change("gate", undefined, "delete")).ok).toBe(true);
    c = parseConfig(readConfigDocument(file(), "x"));
    expect(c.paths).toEqual({});
    expect(file()).toContain("# front desk server");
  });

  test("a JSON file stays JSON", async () => {
    const { store, file } = storeFor(JSON.stringify({ paths: { a: { source: "publisher" } } }), "config.json");
    expect((await store.change("b/c", { source: "udp://0.0.0.0:5000" }, "create")).ok).toBe(true);
    expect(JSON.parse(file())).toEqual({ paths: { a: { source: "publisher" }, "b/c": { source: "udp://0.0.0.0:5000" } } });
  });

  test("a path that comes from the environment cannot be deleted through the file", async () => {
    const { store } = storeFor(YAML, "config.yaml", { MEDIA_SERVER_PATHS__ENVCAM__SOURCE: "publisher" });
    expect(await store.change("envcam", undefined, "delete")).toMatchObject({ ok: false, status: 409 });
  });

  test("when the file cannot be written, nothing changes", async () => {
    const text = "paths: {}\n";
    const store = new ConfigStore(parseConfig({}), { file: { path: "/nonexistent-dir/x/config.yaml", text }, envNames: [], env: () => undefined, writeFileAtomic }, async () => {
      throw new Error("must not be applied");
    });
    const r = await store.change("a", { source: "publisher" }, "create");
    expect(r).toMatchObject({ ok: false, status: 500 });
    expect(store.config.paths).toEqual({});
  });

  test("property: random bodies are applied or refused with 4xx, never throw; refusals leave the file", async () => {
    const { store, file } = storeFor(YAML);
    let state = 7;
    const rand = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const keys = ["source", "timeout", "transport", "onDemand", "closeAfter", "publishUser", "publishPassword", "readUser", "x", "__proto__", "constructor"];
    const values = [null, 0, -1, 1e9, "", "publisher", "udp://0.0.0.0:1", "rtsp://h/x", "tcp", true, [], {}, "x".repeat(300)];
    for (let i = 0; i < 300; i++) {
      const body: Record<string, unknown> = {};
      for (let k = 0, n = Math.floor(rand() * 4); k < n; k++) body[keys[Math.floor(rand() * keys.length)]!] = values[Math.floor(rand() * values.length)];
      const name = ["gate", "new", "a/b", "~^x", "bad name"][Math.floor(rand() * 5)]!;
      const mode = (["create", "merge", "delete"] as const)[Math.floor(rand() * 3)]!;
      const before = file();
      const r = await store.change(name, mode === "delete" ? undefined : body, mode);
      if (!r.ok) {
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(file()).toBe(before);
      }
    }
  });
});
