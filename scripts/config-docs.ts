import { z } from "zod";
import { ConfigSchema } from "../src/config/schema.ts";

/** docs/configuration.md, generated from the zod schema: `bun scripts/config-docs.ts > docs/configuration.md`. */

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(" \\| ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" \\| ");
  const t = Array.isArray(s.type) ? s.type.join(" \\| ") : (s.type ?? "");
  const range = s.minimum !== undefined || s.maximum !== undefined ? ` (${s.minimum ?? ""}…${s.maximum ?? ""})` : "";
  return `${t}${range}`;
}

function rows(schema: JsonSchema, prefix: string): string[] {
  const out: string[] = [];
  for (const [key, s] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (s.properties) {
      out.push(...rows(s, path));
      continue;
    }
    const entry = s.additionalProperties;
    if (typeof entry === "object" && entry.properties) {
      // A map by name (e.g. paths): document one entry's settings under <name>.
      out.push(`| \`${path}\` | map | \`{}\` | ${s.description ?? ""} |`, ...rows(entry, `${path}.<name>`));
      continue;
    }
    const def = s.default === undefined ? "" : `\`${JSON.stringify(s.default)}\``;
    out.push(`| \`${path}\` | ${typeOf(s)} | ${def} | ${s.description ?? ""} |`);
  }
  return out;
}

export function configDocs(): string {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input" }) as JsonSchema;
  return [
    "# Configuration reference",
    "",
    "Generated from `src/config/schema.ts` by `bun scripts/config-docs.ts > docs/configuration.md`; a test fails when it is stale.",
    "",
    "The file is YAML or JSON, given with `--config FILE` or the `MEDIA_SERVER_CONFIG` env var. Unknown keys are refused.",
    "The env var `PORT` overrides `http.port`. Any setting can be set from the environment (it wins over the file):",
    "`MEDIA_SERVER_` and the key path, each key in UPPER_SNAKE_CASE, levels joined by `__`, e.g.",
    "`MEDIA_SERVER_HLS__SEGMENT_DURATION=1`, `MEDIA_SERVER_RTSP__RTP_PORT=null`,",
    "`MEDIA_SERVER_PATHS__CAM1__SOURCE=rtsp://…` (path names are taken lower-cased). An unknown name stops the server.",
    "A bad file or variable is refused at start with every problem listed: key path, line in the file, what was expected.",
    "",
    "| key | type | default | meaning |",
    "| --- | --- | --- | --- |",
    ...rows(schema, ""),
    "",
  ].join("\n");
}

if (import.meta.main) process.stdout.write(configDocs());
