import { describe, expect, test } from "bun:test";
import { checkHashFormat, hashPassword, verifyPassword } from "../../src/auth/password.ts";

describe("password hashes", () => {
  test("a hash verifies its password and nothing else", async () => {
    const h = await hashPassword("correct horse");
    expect(checkHashFormat(h)).toBeUndefined();
    expect(await verifyPassword(h, "correct horse")).toBe(true);
    expect(await verifyPassword(h, "correct horse ")).toBe(false);
    expect(await verifyPassword(h, "")).toBe(false);
    // Remembered checks answer fast, and only for the right password.
    expect(await verifyPassword(h, "correct horse")).toBe(true);
    expect(await verifyPassword(h, "Correct horse")).toBe(false);
  });

  test("malformed hashes are named, never verified", async () => {
    expect(checkHashFormat("plain")).toContain("scrypt$N$r$p$salt$hash");
    expect(checkHashFormat("scrypt$1000$8$1$AA==$AA==")).toContain("power of two");
    expect(await verifyPassword("scrypt$1000$8$1$AA==$AA==", "x")).toBe(false);
  });
});
