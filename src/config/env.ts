import { z } from "zod";
import { ConfigError } from "../core/errors.ts";
import { ConfigSchema } from "./schema.ts";

/**
 * Settings from environment variables, for containers: `MEDIA_SERVER_` and
 * the key path, each key in upper snake case, levels joined by `__`:
 *
 *   MEDIA_SERVER_HTTP__PORT=8080            → http.port
 *   MEDIA_SERVER_HLS__SEGMENT_DURATION=1    → hls.segmentDuration
 *   MEDIA_SERVER_RTSP__RTP_PORT=null        → rtsp.rtpPort
 *   MEDIA_SERVER_PATHS__CAM1__SOURCE=rtsp://…  → paths.cam1.source
 *
 * Path names are taken lower-cased (names with `/` cannot be written so).
 * Values are typed by the schema: numbers, true/false, null; strings as is.
 */
export const ENV_PREFIX = "MEDIA_SERVER_";
/** Not a setting: names the config file. */
const NOT_SETTINGS = new Set(["MEDIA_SERVER_CONFIG"]);

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
}

const snake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

let cachedSchema: JsonSchema | undefined;
function schema(): JsonSchema {
  cachedSchema ??= z.toJSONSchema(ConfigSchema, { io: "input" }) as JsonSchema;
  return cachedSchema;
}

function types(s: JsonSchema): string[] {
  if (s.anyOf) return s.anyOf.flatMap(types);
  if (s.enum) return ["string"];
  return Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
}

/** The text of an env var as the type the setting wants (zod then checks it). */
function typed(text: string, s: JsonSchema): unknown {
  const t = types(s);
  if (text === "null" && t.includes("null")) return null;
  if ((t.includes("number") || t.includes("integer")) && text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  if (t.includes("boolean") && (text === "true" || text === "false")) return text === "true";
  return text;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The document with every MEDIA_SERVER_* variable applied; an unknown one is a ConfigError naming it. */
export function applySettingsFromEnv(doc: unknown, names: readonly string[], env: (name: string) => string | undefined): unknown {
  const root: Record<string, unknown> = isRecord(doc) ? structuredClone(doc) : {};
  const problems: string[] = [];
  for (const name of [...names].sort()) {
    if (!name.startsWith(ENV_PREFIX) || NOT_SETTINGS.has(name)) continue;
    const value = env(name);
    if (value === undefined) continue;
    const parts = name.slice(ENV_PREFIX.length).split("__");
    let node: JsonSchema | undefined = schema();
    let target = root;
    const keys: string[] = [];
    for (let i = 0; i < parts.length && node; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      let key: string | undefined;
      let next: JsonSchema | undefined;
      if (node.properties) {
        key = Object.keys(node.properties).find((k) => snake(k) === part);
        next = key === undefined ? undefined : node.properties[key];
      } else if (typeof node.additionalProperties === "object") {
        key = part.toLowerCase();
        next = node.additionalProperties;
      }
      if (key === undefined || next === undefined) {
        node = undefined;
        break;
      }
      keys.push(key);
      if (last) {
        if (next.properties || typeof next.additionalProperties === "object") node = undefined;
        else target[key] = typed(value, next);
        break;
      }
      if (!isRecord(target[key])) target[key] = {};
      target = target[key] as Record<string, unknown>;
      node = next;
    }
    if (!node || keys.length !== parts.length) problems.push(`  ${name}: no such setting (rule: ${ENV_PREFIX}<KEY>__<KEY>, keys in UPPER_SNAKE_CASE)`);
  }
  if (problems.length > 0) throw new ConfigError(`invalid environment:\n${problems.join("\n")}`);
  return root;
}
