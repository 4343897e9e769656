import { z } from "zod";
import { PathSchema } from "./config/schema.ts";
import { VERSION } from "./version.ts";

type Json = Record<string, unknown>;

const error = { $ref: "#/components/schemas/Error" };
const invalid = { $ref: "#/components/schemas/Invalid" };
const json = (schema: Json, description: string) => ({ description, content: { "application/json": { schema } } });
const nameParam = { name: "name", in: "path", required: true, description: "Path name (may contain `/`, URL-encode it) or `~regex` key.", schema: { type: "string" } };
const open = { type: "object", additionalProperties: true };

/**
 * The OpenAPI 3.1 document of /v1, with request bodies from the same zod
 * schemas that validate them (PathSchema), so the two cannot disagree.
 */
export function openApiDocument(): Json {
  const pathSettings = z.toJSONSchema(PathSchema, { io: "input", unrepresentable: "any" }) as Json;
  delete pathSettings.$schema;
  return {
    openapi: "3.1.0",
    info: { title: "mediaserver API", version: VERSION, description: "Streams, readers and configured paths. See docs/api.md and docs/auth.md." },
    components: {
      schemas: {
        PathSettings: pathSettings,
        Error: { type: "object", required: ["error"], properties: { error: { type: "string" } } },
        Invalid: {
          type: "object",
          required: ["error"],
          properties: {
            error: { type: "string" },
            issues: { type: "array", items: { type: "object", required: ["field", "reason"], properties: { field: { type: "string" }, reason: { type: "string" } } } },
          },
        },
      },
      securitySchemes: { basic: { type: "http", scheme: "basic" }, bearer: { type: "http", scheme: "bearer", bearerFormat: "token or JWT" } },
    },
    security: [{}, { basic: [] }, { bearer: [] }],
    paths: {
      "/v1/info": { get: { summary: "Server version, runtime and uptime", responses: { 200: json(open, "Server info") } } },
      "/v1/streams": { get: { summary: "Live streams: tracks, readers, counters, source state", responses: { 200: json(open, "Streams") } } },
      "/v1/streams/{path}/readers/{id}": {
        delete: {
          summary: "Disconnect one reader",
          parameters: [
            { name: "path", in: "path", required: true, schema: { type: "string" } },
            { name: "id", in: "path", required: true, schema: { type: "string" } },
          ],
          responses: { 200: json(open, "Kicked"), 404: json(error, "No such stream or reader"), 409: json(error, "The shared HLS muxer") },
        },
      },
      "/v1/paths": { get: { summary: "Configured paths with their live state", responses: { 200: json(open, "Paths") } } },
      "/v1/paths/{name}": {
        parameters: [nameParam],
        get: { summary: "One configured path", responses: { 200: json(open, "Path"), 404: json(error, "No such path") } },
        post: {
          summary: "Add a path (written to the config file, applied at once)",
          requestBody: { required: true, content: { "application/json": { schema: { $ref: "#/components/schemas/PathSettings" } } } },
          responses: { 201: json(open, "Added"), 400: json(invalid, "Invalid"), 409: json(error, "Exists") },
        },
        patch: {
          summary: "Merge settings into a path (RFC 7396: null removes a setting)",
          requestBody: { required: true, content: { "application/merge-patch+json": { schema: open }, "application/json": { schema: open } } },
          responses: { 200: json(open, "Changed"), 400: json(invalid, "Invalid"), 404: json(error, "No such path") },
        },
        delete: { summary: "Remove a path", responses: { 200: json(open, "Removed"), 404: json(error, "No such path"), 409: json(error, "Set by environment variables") } },
      },
      "/v1/openapi.json": { get: { summary: "This document", responses: { 200: json(open, "OpenAPI 3.1") } } },
    },
  };
}
