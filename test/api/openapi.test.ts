import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import { parseConfig } from "../../src/config/load.ts";
import { openApiDocument } from "../../src/openapi.ts";
import { VERSION } from "../../src/version.ts";

describe("OpenAPI document", () => {
  test("is a valid OpenAPI 3.1 document (independent validator)", async () => {
    const result = await new Validator().validate(openApiDocument());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  test("the path settings schema is the config's: what it requires, the config requires", () => {
    const doc = openApiDocument() as { components: { schemas: { PathSettings: { required?: string[]; properties: Record<string, unknown>; additionalProperties?: unknown } } } };
    const settings = doc.components.schemas.PathSettings;
    expect(settings.required).toBeUndefined(); // source defaults to publisher
    expect(settings.additionalProperties).toBe(false);
    for (const key of Object.keys(settings.properties)) expect(() => parseConfig({ paths: { p: { source: "publisher", [key]: undefined } } })).not.toThrow();
    expect(() => parseConfig({ paths: { p: { source: "publisher", notInTheSchema: 1 } } })).toThrow();
  });

  test("the version is package.json's", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });
});
