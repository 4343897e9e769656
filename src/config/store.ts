import { type Document, parseDocument } from "yaml";
import { applySettingsFromEnv } from "./env.ts";
import { applyEnv, type ConfigIssue, validateConfig } from "./load.ts";
import type { Config, PathConfig } from "./schema.ts";

/** Where the running config came from: its file (if any) and how to read the environment. */
export interface ConfigOrigin {
  /** The config file and its text at start; undefined when running on defaults and env. */
  readonly file?: { readonly path: string; readonly text: string };
  readonly envNames: readonly string[];
  env(name: string): string | undefined;
  writeFileAtomic(path: string, text: string): Promise<void>;
}

export type PathChangeResult =
  | { readonly ok: true; readonly config: Config; readonly persisted: boolean }
  | { readonly ok: false; readonly status: 400 | 404 | 409 | 500; readonly error: string; readonly issues?: readonly ConfigIssue[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The running config and its file. A path added, changed or removed through
 * the API is validated as part of the whole config (file + environment),
 * written back atomically (YAML keeps its comments), and only then applied;
 * a rejected change leaves both the file and the running config as they were.
 */
export class ConfigStore {
  private doc: Document;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private current: Config,
    private readonly origin: ConfigOrigin,
    /** Applies new path settings to the running server. */
    private readonly applyPaths: (paths: Record<string, PathConfig>) => Promise<void>,
  ) {
    this.doc = parseDocument(origin.file?.text ?? "{}");
  }

  get config(): Config {
    return this.current;
  }

  get persistent(): boolean {
    return this.origin.file !== undefined;
  }

  /** The path's entry as written in the file (no defaults), or undefined. */
  fileEntry(name: string): Record<string, unknown> | undefined {
    const entry = this.doc.getIn(["paths", name]);
    const js = entry && typeof entry === "object" && "toJSON" in entry ? (entry as { toJSON(): unknown }).toJSON() : entry;
    return isRecord(js) ? js : undefined;
  }

  /** Adds (`create`), merges (RFC 7396: null removes a key) or removes (`entry` undefined) one path; changes run one at a time. */
  change(name: string, entry: Record<string, unknown> | undefined, mode: "create" | "merge" | "delete"): Promise<PathChangeResult> {
    const run = this.queue.then(() => this.apply(name, entry, mode));
    this.queue = run.catch(() => {});
    return run;
  }

  private async apply(name: string, entry: Record<string, unknown> | undefined, mode: "create" | "merge" | "delete"): Promise<PathChangeResult> {
    const exists = Object.hasOwn(this.current.paths, name);
    if (mode === "create" && exists) return { ok: false, status: 409, error: `path "${name}" exists; PATCH it or DELETE it first` };
    if (mode !== "create" && !exists) return { ok: false, status: 404, error: `no path "${name}" in the config` };
    const next = this.doc.clone();
    if (mode === "delete") {
      if (!this.fileEntry(name)) return { ok: false, status: 409, error: `path "${name}" is set by environment variables, not the file` };
      next.deleteIn(["paths", name]);
    } else {
      // A Map, then own properties: a key named __proto__ stays a key (the schema refuses it), never a prototype.
      const merged = new Map<string, unknown>(mode === "merge" ? Object.entries(this.fileEntry(name) ?? {}) : []);
      for (const [k, v] of Object.entries(entry ?? {})) {
        if (v === null && mode === "merge") merged.delete(k);
        else merged.set(k, v);
      }
      if (!isRecord(next.get("paths"))) next.set("paths", next.createNode({}));
      next.setIn(["paths", name], next.createNode(Object.fromEntries(merged)));
    }
    const raw = next.toJS() ?? {};
    const env = (n: string) => this.origin.env(n);
    let checked;
    try {
      checked = validateConfig(applySettingsFromEnv(applyEnv(raw, env), this.origin.envNames, env));
    } catch (e) {
      return { ok: false, status: 400, error: e instanceof Error ? e.message : String(e) };
    }
    if ("issues" in checked) return { ok: false, status: 400, error: `the change makes the config invalid`, issues: checked.issues };
    if (mode === "delete" && Object.hasOwn(checked.config.paths, name)) {
      return { ok: false, status: 409, error: `path "${name}" is also set by environment variables; it stays` };
    }
    const file = this.origin.file;
    if (file) {
      const text = /\.json$/i.test(file.path) ? `${JSON.stringify(raw, null, 2)}\n` : next.toString();
      try {
        await this.origin.writeFileAtomic(file.path, text);
      } catch (e) {
        return { ok: false, status: 500, error: `cannot write ${file.path}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    this.doc = next;
    this.current = checked.config;
    await this.applyPaths(checked.config.paths);
    return { ok: true, config: checked.config, persisted: file !== undefined };
  }
}
