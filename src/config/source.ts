import type { Runtime } from "../runtime/types.ts";
import { ConfigError } from "../core/errors.ts";
import { applySettingsFromEnv } from "./env.ts";
import { applyEnv, parseConfig, readConfigDocument } from "./load.ts";
import type { Config } from "./schema.ts";
import type { ConfigOrigin } from "./store.ts";

/** Env var naming the config file when --config is not given. */
export const CONFIG_ENV = "MEDIA_SERVER_CONFIG";

/** `--config FILE`, else $MEDIA_SERVER_CONFIG, else defaults; then PORT and MEDIA_SERVER_* overrides (env.ts). */
export async function loadConfig(runtime: Runtime): Promise<{ config: Config; origin: ConfigOrigin }> {
  const args = runtime.args;
  const i = args.indexOf("--config");
  const path = i >= 0 ? args[i + 1] : runtime.env(CONFIG_ENV);
  if (i >= 0 && !path) throw new ConfigError("--config needs a file path");
  let doc: unknown = {};
  let text: string | undefined;
  if (path) {
    try {
      text = await runtime.readTextFile(path);
    } catch (e) {
      throw new ConfigError(`cannot read config file ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    doc = readConfigDocument(text, path);
  }
  const env = (name: string) => runtime.env(name);
  const envNames = runtime.envNames();
  const withEnv = applySettingsFromEnv(applyEnv(doc, env), envNames, env);
  const config = parseConfig(withEnv, path ? `${path} (and the environment)` : "defaults and the environment", text);
  const origin: ConfigOrigin = {
    file: path && text !== undefined ? { path, text } : undefined,
    envNames,
    env,
    writeFileAtomic: (file, content) => runtime.writeFileAtomic(file, content),
  };
  return { config, origin };
}
