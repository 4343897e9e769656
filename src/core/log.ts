/** Line logs to stderr: `time level scope: message`, or one JSON object per line. */
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "pretty" | "json";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold = ORDER.info;
let format: LogFormat = "pretty";

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

export function setLogFormat(f: LogFormat): void {
  format = f;
}

/** Userinfo in any URL (`rtsp://user:secret@cam`): a safety net for messages that quote one unmasked. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi;

export function maskCredentials(text: string): string {
  return text.replace(URL_PASSWORD, "$1***@");
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function logger(scope: string): Logger {
  const write = (level: LogLevel) => (msg: string) => {
    if (ORDER[level] < threshold) return;
    const time = new Date().toISOString();
    const text = maskCredentials(msg);
    console.error(format === "json" ? JSON.stringify({ time, level, scope, msg: text }) : `${time} ${level.toUpperCase().padEnd(5)} ${scope}: ${text}`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
