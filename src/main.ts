import { loadConfig } from "./config/source.ts";
import { ConfigError } from "./core/errors.ts";
import { logger, setLogFormat, setLogLevel } from "./core/log.ts";
import { detectRuntime } from "./runtime/detect.ts";
import { startServer } from "./server.ts";

const log = logger("main");
const runtime = await detectRuntime();

try {
  const { config, origin } = await loadConfig(runtime);
  setLogLevel(config.logLevel);
  setLogFormat(config.logFormat);
  const server = await startServer(config, runtime, origin);
  const host = config.http.host === "0.0.0.0" || config.http.host === "::" ? "localhost" : config.http.host;
  log.info(`${runtime.name} ${runtime.version}: listening on http://${host}:${server.port}/`);
  if (config.demo.enabled) log.info(`demo: http://${host}:${server.port}/${config.demo.path}/index.m3u8`);
  let stopping = false;
  runtime.onShutdown(() => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down");
    server.stop().finally(() => runtime.exit(0));
  });
} catch (e) {
  log.error(e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e));
  runtime.exit(1);
}
