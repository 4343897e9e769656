/**
 * Stream paths are one or more segments of unreserved URI characters
 * (RFC 3986 section 2.3). Anything else, "..", encoded slashes or
 * control bytes included, is not a path of ours.
 */
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9_.~-]{0,63}$/;

/** Longest path we accept; longer names are a mistake or an attack. */
export const MAX_PATH_LENGTH = 256;

export function isValidStreamPath(path: string): boolean {
  if (path.length === 0 || path.length > MAX_PATH_LENGTH) return false;
  return path.split("/").every((s) => SEGMENT.test(s));
}
