import { hashPassword } from "../src/auth/password.ts";

/** Prints a password hash for `auth.users[].passwordHash`: `bun scripts/hash-password.ts <password>` (or the password on stdin). */
async function stdinText(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, "");
}

const given = process.argv[2] ?? (await stdinText());
if (!given) {
  console.error("usage: bun scripts/hash-password.ts <password>   (or echo <password> | bun scripts/hash-password.ts)");
  process.exit(2);
}
console.log(await hashPassword(given));
