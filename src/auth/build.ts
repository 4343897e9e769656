import type { AuthConfig } from "../config/auth-schema.ts";
import type { Runtime } from "../runtime/types.ts";
import { Authorizer, type PathCredentials } from "./authorizer.ts";
import { AuthHook } from "./hook.ts";
import { JwksKeys } from "./jwks.ts";

/** The Authorizer for a config: reads the JWKS file now, so a bad one stops the start with its reason. */
export async function buildAuthorizer(config: AuthConfig, pathCredentials: PathCredentials, runtime: Runtime): Promise<Authorizer> {
  let jwks: JwksKeys | undefined;
  const jwt = config.jwt;
  if (jwt?.jwksUrl !== undefined || jwt?.jwksFile !== undefined) {
    let text: string | undefined;
    if (jwt.jwksFile !== undefined) {
      try {
        text = await runtime.readTextFile(jwt.jwksFile);
        JwksKeys.parse(text);
      } catch (e) {
        throw new Error(`auth.jwt.jwksFile ${jwt.jwksFile}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    jwks = new JwksKeys(jwt.jwksUrl, text);
  }
  const hook = config.hook ? new AuthHook(config.hook.url, config.hook.timeout * 1000, config.hook.cacheSeconds) : undefined;
  return new Authorizer(config, pathCredentials, jwks, hook);
}
