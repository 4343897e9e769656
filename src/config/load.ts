import { isNode, LineCounter, parse as parseYaml, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { type Config, ConfigSchema } from "./schema.ts";

type KeyPath = readonly PropertyKey[];

/** Line numbers of key paths in the file's text: the deepest node of the path that the file has. */
function lineLocator(text: string): (path: KeyPath) => number | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** Every problem at once, each with its key path (and line), so one edit fixes them all. */
function describeIssues(source: string, error: z.ZodError, lineOf?: (path: KeyPath) => number | undefined): string {
  const lines = error.issues.map((i) => {
    // Zod nests the reason a record key was refused inside the issue.
    const nested = "issues" in i && Array.isArray(i.issues) ? i.issues.map((n: { message: string }) => n.message) : [];
    // An unknown key is reported on its parent: point at the key itself.
    const at = i.code === "unrecognized_keys" && i.keys.length > 0 ? [...i.path, i.keys[0]!] : i.path;
    const line = lineOf?.(at);
    const where = `${i.path.length ? i.path.join(".") : "(root)"}${line === undefined ? "" : ` (line ${line})`}`;
    return `  ${where}: ${[i.message, ...nested].join(": ")}`;
  });
  return `invalid configuration in ${source}:\n${lines.join("\n")}`;
}

/** Validates a config document; `text` (the file it came from) lets errors name lines. */
export function parseConfig(input: unknown, source = "config", text?: string): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(describeIssues(source, result.error, text === undefined ? undefined : lineLocator(text)));
  return result.data;
}

export interface ConfigIssue {
  /** Key path, dot-joined: `paths.cam.timeout`. */
  readonly field: string;
  readonly reason: string;
}

/** The config, or every problem as field and reason (for API answers). */
export function validateConfig(input: unknown): { config: Config } | { issues: ConfigIssue[] } {
  const result = ConfigSchema.safeParse(input ?? {});
  if (result.success) return { config: result.data };
  return {
    issues: result.error.issues.map((i) => {
      const at = i.code === "unrecognized_keys" ? [...i.path, ...i.keys.slice(0, 1)] : i.path;
      return { field: at.map(String).join("."), reason: i.message };
    }),
  };
}

/** YAML or JSON text (JSON is YAML) to a plain document, not yet validated. */
export function readConfigDocument(text: string, source: string): unknown {
  try {
    // YAML warnings (an unresolved tag, say) leave a string the schema then judges; only errors stop here.
    return parseYaml(text, { prettyErrors: true, logLevel: "error" }) ?? {};
  } catch (e) {
    throw new ConfigError(`cannot parse ${source}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Env overrides on top of the file: PORT is the conventional one for containers. */
export function applyEnv(doc: unknown, env: (name: string) => string | undefined): unknown {
  const port = env("PORT");
  if (port === undefined || port === "" || !isRecord(doc)) return doc;
  const n = Number(port);
  if (!Number.isInteger(n)) throw new ConfigError(`PORT must be a whole number, got "${port}"`);
  const http = isRecord(doc.http) ? doc.http : {};
  return { ...doc, http: { ...http, port: n } };
}
