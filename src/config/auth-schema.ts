import { z } from "zod";
import { parseCidrList } from "../auth/ip.ts";
import { checkHashFormat } from "../auth/password.ts";

const ipList = z
  .array(z.string())
  .superRefine((list, ctx) => {
    try {
      parseCidrList(list);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: e instanceof Error ? e.message : String(e) });
    }
  })
  .describe("Addresses or ranges (`10.0.0.0/8`, `::1`) the grant or user is limited to.");

const pathPattern = z
  .string()
  .min(1)
  .superRefine((p, ctx) => {
    if (!p.startsWith("~")) return;
    try {
      new RegExp(p.slice(1));
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `not a regular expression: ${e instanceof Error ? e.message : String(e)}` });
    }
  });

export const PermissionSchema = z
  .object({
    action: z.enum(["read", "publish", "api", "metrics"]),
    path: pathPattern.optional().describe("Paths it covers: a name, `prefix/*`, `*` or `~regex`; all when absent (ignored for api and metrics)."),
    ips: ipList.optional(),
  })
  .strict();

const LOOPBACK = ["127.0.0.0/8", "::1"];

export const AuthSchema = z
  .object({
    users: z
      .array(
        z
          .object({
            user: z.string().min(1),
            password: z.string().min(1).optional().describe("Plain password: works with Basic and RTSP Digest."),
            passwordHash: z
              .string()
              .superRefine((h, ctx) => {
                const problem = checkHashFormat(h);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
              })
              .optional()
              .describe("scrypt hash from `bun scripts/hash-password.ts`: Basic only (Digest needs the password itself)."),
            permissions: z.array(PermissionSchema).default([{ action: "read" }]),
            ips: ipList.optional(),
          })
          .strict()
          .refine((u) => (u.password === undefined) !== (u.passwordHash === undefined), { message: "give password or passwordHash, one of them" }),
      )
      .default([])
      .describe("Users (Basic over HTTP; Basic or Digest over RTSP) and what each may do."),
    tokens: z
      .array(z.object({ token: z.string().min(16), permissions: z.array(PermissionSchema).default([{ action: "read" }]), ips: ipList.optional() }).strict())
      .default([])
      .describe("Static bearer tokens (`Authorization: Bearer …`, or `?token=` for players that cannot set headers) and their grants."),
    anonymous: z
      .array(PermissionSchema)
      .default([{ action: "read" }, { action: "publish" }, { action: "metrics" }, { action: "api", ips: LOOPBACK }])
      .describe("What a request without credentials may do. Default: read and publish anywhere (per-path credentials still apply), metrics, and the API from localhost only."),
    jwt: z
      .object({
        secret: z.string().min(16).optional().describe("HS256 shared secret."),
        jwksUrl: z.url().optional().describe("JWKS URL for RS256/ES256 keys (fetched, refreshed every 10 min)."),
        jwksFile: z.string().min(1).optional().describe("JWKS file for RS256/ES256 keys."),
        issuer: z.string().optional().describe("Required `iss`."),
        audience: z.string().optional().describe("Required in `aud`."),
        claim: z.string().min(1).default("permissions").describe("Claim with the grants: [{ action, path }]."),
      })
      .strict()
      .refine((j) => j.secret !== undefined || j.jwksUrl !== undefined || j.jwksFile !== undefined, { message: "give secret, jwksUrl or jwksFile" })
      .optional()
      .describe("JWT bearer tokens (RFC 7519) carrying their grants."),
    hook: z
      .object({
        url: z.url().describe("Endpoint POSTed { action, path, protocol, ip, user, password, token }; 2xx allows."),
        timeout: z.number().min(0.1).max(30).default(2).describe("Seconds to wait; no answer denies."),
        cacheSeconds: z.number().min(0).max(3600).default(10).describe("Seconds an answer is reused for the same request."),
      })
      .strict()
      .optional()
      .describe("Ask an operator's HTTP endpoint when users, tokens and anonymous grants do not allow a request."),
  })
  .strict();

export type AuthConfig = z.infer<typeof AuthSchema>;
