import type { AuthConfig } from "../config/auth-schema.ts";
import { type Credentials, constantTimeEqual, credentialsMatch } from "./basic.ts";
import type { AuthHook } from "./hook.ts";
import { type CidrList, ipAllowed, parseCidrList } from "./ip.ts";
import type { JwksKeys } from "./jwks.ts";
import { verifyJwt } from "./jwt.ts";
import { type Action, allows, type Permission } from "./permissions.ts";
import { verifyPassword } from "./password.ts";

export interface AuthRequest {
  readonly action: Action;
  /** Stream path; empty for the API and metrics. */
  readonly path: string;
  readonly protocol: string;
  readonly ip: string;
  readonly basic?: Credentials;
  /** Bearer token: a static token or a JWT. */
  readonly token?: string;
}

export type AuthDecision = { readonly ok: true; readonly who: string } | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

interface Grantee {
  readonly grants: Permission[];
  readonly ips?: CidrList;
}

/** The per-path shortcut (paths.<name>.readUser / publishUser) for an action, if the path sets one. */
export type PathCredentials = (action: "read" | "publish", path: string) => Credentials | undefined;

const withIps = (grants: readonly { action: Action; path?: string; ips?: string[] }[]): Permission[] =>
  grants.map((g) => ({ action: g.action, ...(g.path !== undefined ? { path: g.path } : {}), ...(g.ips ? { ips: parseCidrList(g.ips) } : {}) }));

/**
 * One answer to "may this request do that?" for HLS, RTSP, WebRTC, ingest,
 * the API and metrics. Allowed when any of these says yes: the path's own
 * credentials, a configured user or static token, a JWT's grants, the
 * anonymous grants (unless the path has its own credentials for that
 * action), or the operator's hook. Otherwise 401 (no or bad credentials) or
 * 403 (known, but not allowed).
 */
export class Authorizer {
  private readonly users: (Grantee & { user: string; password?: string; passwordHash?: string })[];
  private readonly tokens: (Grantee & { token: string })[];
  private readonly anonymous: Permission[];

  constructor(
    private readonly config: AuthConfig,
    private readonly pathCredentials: PathCredentials,
    private readonly jwks: JwksKeys | undefined,
    private readonly hook: AuthHook | undefined,
  ) {
    this.users = config.users.map((u) => ({ ...u, grants: withIps(u.permissions), ips: u.ips ? parseCidrList(u.ips) : undefined }));
    this.tokens = config.tokens.map((t) => ({ token: t.token, grants: withIps(t.permissions), ips: t.ips ? parseCidrList(t.ips) : undefined }));
    this.anonymous = withIps(config.anonymous);
  }

  /** A sentence for the start-up log: who may do what without credentials. */
  describeDefaults(): string {
    const what = (a: Action) => {
      const g = this.anonymous.filter((p) => p.action === a);
      if (g.length === 0) return "nobody";
      return g.some((p) => !p.ips && !p.path) ? "anyone" : "some (see auth.anonymous)";
    };
    return `without credentials: read ${what("read")}, publish ${what("publish")}, API ${this.anonymous.some((p) => p.action === "api" && p.ips) ? "localhost only" : what("api")}, metrics ${what("metrics")}; ${this.users.length} user(s), ${this.tokens.length} token(s)${this.config.jwt ? ", JWT" : ""}${this.hook ? ", hook" : ""}`;
  }

  async check(req: AuthRequest): Promise<AuthDecision> {
    const { action, path, ip } = req;
    const pathCreds = action === "read" || action === "publish" ? this.pathCredentials(action, path) : undefined;
    if (req.basic && pathCreds && credentialsMatch(req.basic, pathCreds)) return { ok: true, who: req.basic.user };

    let known: string | undefined;
    if (req.basic) {
      const u = await this.user(req.basic);
      if (u && (!u.ips || ipAllowed(u.ips, ip))) {
        if (allows(u.grants, action, path, ip)) return { ok: true, who: u.user };
        known = u.user;
      }
    }
    if (req.token) {
      const t = this.tokens.find((x) => constantTimeEqual(x.token, req.token!));
      if (t && (!t.ips || ipAllowed(t.ips, ip))) {
        if (allows(t.grants, action, path, ip)) return { ok: true, who: "token" };
        known = "token";
      } else if (!t && this.config.jwt && req.token.includes(".")) {
        const jwt = await verifyJwt(req.token, { secret: this.config.jwt.secret, jwk: (kid) => this.jwks?.jwk(kid) ?? Promise.resolve(undefined) }, this.config.jwt);
        if (jwt.ok) {
          if (allows(jwt.grants, action, path, ip)) return { ok: true, who: jwt.subject ?? "jwt" };
          known = jwt.subject ?? "jwt";
        }
      }
    }
    if (!pathCreds && allows(this.anonymous, action, path, ip)) return { ok: true, who: "anonymous" };
    if (this.hook) {
      const asked = await this.hook.allows({ action, path, protocol: req.protocol, ip, user: req.basic?.user, password: req.basic?.password, token: req.token });
      if (asked) return { ok: true, who: req.basic?.user ?? "hook" };
    }
    if (known !== undefined) return { ok: false, status: 403, reason: `${known} may not ${action}${path ? ` "${path}"` : ""}` };
    return { ok: false, status: 401, reason: req.basic || req.token ? "wrong credentials" : `${action}${path ? ` "${path}"` : ""} needs credentials` };
  }

  /**
   * RTSP Digest (RFC 2617) needs the password itself: the path's own
   * credentials or a user configured with a plain password.
   */
  digestPassword(user: string, action: "read" | "publish", path: string): string | undefined {
    const pathCreds = this.pathCredentials(action, path);
    if (pathCreds && pathCreds.user === user) return pathCreds.password;
    return this.users.find((u) => u.user === user && u.password !== undefined)?.password;
  }

  private async user(given: Credentials): Promise<(typeof this.users)[number] | undefined> {
    const u = this.users.find((x) => constantTimeEqual(x.user, given.user));
    if (!u) return undefined;
    if (u.password !== undefined) return constantTimeEqual(u.password, given.password) ? u : undefined;
    return u.passwordHash !== undefined && (await verifyPassword(u.passwordHash, given.password)) ? u : undefined;
  }
}
