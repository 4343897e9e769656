/** Plain line logs to stderr: `time level scope: message`. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold = ORDER.info;

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function logger(scope: string): Logger {
  const write = (level: LogLevel) => (msg: string) => {
    if (ORDER[level] >= threshold) console.error(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${scope}: ${msg}`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
