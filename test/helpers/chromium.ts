import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium (scripts/test-peers.sh installs it); playwright-core downloads no browser of its own. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Starts headless Chromium, with `args` added to its command line; the caller closes it. */
export async function launchChromium(args: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/test-peers.sh as root (apt-get install chromium) or set CHROMIUM`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [...args],
    // Playwright passes --no-sandbox unless told otherwise. Keep the sandbox on, except as root
    // (CI runs as root), where Chromium refuses to start with it ("Running as root without
    // --no-sandbox is not supported").
    chromiumSandbox: process.getuid?.() !== 0,
  });
}
