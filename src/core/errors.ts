/** Base of every error we throw on purpose; anything else reaching a boundary is a bug. */
export class MediaError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input bytes that do not follow the format (container or bitstream). */
export class ParseError extends MediaError {}

/** A configuration that cannot be used; message lists every problem. */
export class ConfigError extends MediaError {}
