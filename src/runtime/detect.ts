import type { Runtime } from "./types.ts";

/** Loads the adapter of the runtime we run on; the other one is never imported. */
export async function detectRuntime(): Promise<Runtime> {
  if ("Deno" in globalThis) return (await import("./deno.ts")).denoRuntime;
  if ("Bun" in globalThis) return (await import("./bun.ts")).bunRuntime;
  throw new Error("unsupported runtime: run with Bun or Deno");
}
