/**
 * A `paths:` key that starts with `~` is a regular expression over stream
 * paths (`~^cams/.+$`): it accepts publishers on every path it matches, so
 * encoders can push to names nobody configured one by one.
 */
export const PATTERN_PREFIX = "~";
/** Longest pattern accepted: a config key, not a program. */
const MAX_PATTERN_LENGTH = 256;

export function isPathPattern(key: string): boolean {
  return key.startsWith(PATTERN_PREFIX);
}

/** The compiled pattern, or the reason it is not one. */
export function compilePathPattern(key: string): RegExp | string {
  const source = key.slice(PATTERN_PREFIX.length);
  if (source.length === 0 || source.length > MAX_PATTERN_LENGTH) return `a path pattern is ~ and 1 to ${MAX_PATTERN_LENGTH} characters of regular expression`;
  try {
    return new RegExp(source);
  } catch (e) {
    return `not a regular expression: ${e instanceof Error ? e.message : String(e)}`;
  }
}
