import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { type Config, ConfigSchema } from "./schema.ts";

/** Every problem at once, each with its key path, so one edit fixes them all. */
function describeIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.map((i) => {
    // Zod nests the reason a record key was refused inside the issue.
    const nested = "issues" in i && Array.isArray(i.issues) ? i.issues.map((n: { message: string }) => n.message) : [];
    return `  ${i.path.length ? i.path.join(".") : "(root)"}: ${[i.message, ...nested].join(": ")}`;
  });
  return `invalid configuration in ${source}:\n${lines.join("\n")}`;
}

export function parseConfig(input: unknown, source = "config"): Config {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(describeIssues(source, result.error));
  return result.data;
}

/** YAML or JSON text (JSON is YAML) to a plain document, not yet validated. */
export function readConfigDocument(text: string, source: string): unknown {
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {};
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
