import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Stored passwords: `scrypt$N$r$p$<salt b64>$<hash b64>` (RFC 7914), made by
 * `bun scripts/hash-password.ts`. Checks are slow on purpose, so a checked
 * (user, password) pair is remembered by its SHA-256 for a while: a player
 * fetching a segment every two seconds must not pay scrypt each time.
 */
const PREFIX = "scrypt";
const N = 1 << 14;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
/** Remembered good checks: bounded, and forgotten after a while so a changed config takes effect. */
const CACHE_MAX = 1024;
const CACHE_MS = 5 * 60_000;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, length, { N: n, r, p, maxmem: 256 * n * r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P, KEY_LENGTH);
  return [PREFIX, N, R, P, salt.toString("base64"), key.toString("base64")].join("$");
}

/** The reason a stored hash is not one we read, or undefined when it is fine. */
export function checkHashFormat(stored: string): string | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== PREFIX) return `a password hash is ${PREFIX}$N$r$p$salt$hash (make one with: bun scripts/hash-password.ts)`;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (!Number.isInteger(n) || n! < 2 || (n! & (n! - 1)) !== 0 || n! > 1 << 20) return "scrypt N must be a power of two up to 2^20";
  if (!Number.isInteger(r) || r! < 1 || r! > 32 || !Number.isInteger(p) || p! < 1 || p! > 16) return "scrypt r or p out of range";
  return undefined;
}

const verified = new Map<string, number>();

export async function verifyPassword(stored: string, given: string): Promise<boolean> {
  const memo = createHash("sha256").update(stored).update("\0").update(given).digest("base64");
  const until = verified.get(memo);
  if (until !== undefined && until > Date.now()) return true;
  if (checkHashFormat(stored) !== undefined) return false;
  const [, n, r, p, salt, hash] = stored.split("$") as [string, string, string, string, string, string];
  const expected = Buffer.from(hash, "base64");
  const key = await derive(given, Buffer.from(salt, "base64"), Number(n), Number(r), Number(p), expected.length);
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  if (ok) {
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(memo, Date.now() + CACHE_MS);
  }
  return ok;
}
