/** HTTP Basic credentials (RFC 7617). */
export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export function parseBasicAuthorization(header: string | undefined): Credentials | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Compares in time that depends on the lengths only, not on where the strings differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export function credentialsMatch(given: Credentials | undefined, expected: Credentials): boolean {
  if (!given) return false;
  // Both compared always, so timing does not tell which one was wrong.
  const user = constantTimeEqual(given.user, expected.user);
  const password = constantTimeEqual(given.password, expected.password);
  return user && password;
}
