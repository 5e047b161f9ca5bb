// How the console signs its API calls, from the console function's environment (the local stack and
// the CDK stack set it). The console reads the result as /console/config.json.
import * as z from "zod";
import { ConfigurationError } from "./errors.js";

/**
 * token: the local stack's bearer token, typed in once. jwt: OpenID Connect (authorization code + PKCE)
 * against the stack's Cognito user pool or another issuer. iam: SigV4 only; a browser cannot sign, so
 * the console says so and points at the CLI.
 */
export type ConsoleAuth =
  | { readonly mode: "token" }
  | { readonly mode: "iam" }
  | {
      readonly mode: "jwt";
      readonly clientId: string;
      readonly authorizationEndpoint: string;
      readonly tokenEndpoint: string;
      readonly logoutEndpoint?: string;
      readonly scopes: readonly string[];
    };

const httpsUrl = z.url({ protocol: /^https$/ });

const consoleEnvironment = z.object({
  HH_GITOPS_CONSOLE_AUTH: z.enum(["token", "iam", "jwt"]).default("token"),
  HH_GITOPS_OIDC_CLIENT_ID: z.string().min(1).optional(),
  HH_GITOPS_OIDC_AUTHORIZATION_ENDPOINT: httpsUrl.optional(),
  HH_GITOPS_OIDC_TOKEN_ENDPOINT: httpsUrl.optional(),
  HH_GITOPS_OIDC_LOGOUT_ENDPOINT: httpsUrl.optional(),
  HH_GITOPS_OIDC_SCOPES: z.string().default("openid email"),
});

export function parseConsoleAuth(env: NodeJS.ProcessEnv): ConsoleAuth {
  const parsed = consoleEnvironment.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  if (e.HH_GITOPS_CONSOLE_AUTH !== "jwt") return { mode: e.HH_GITOPS_CONSOLE_AUTH };
  const missing = (["HH_GITOPS_OIDC_CLIENT_ID", "HH_GITOPS_OIDC_AUTHORIZATION_ENDPOINT", "HH_GITOPS_OIDC_TOKEN_ENDPOINT"] as const).filter((k) => !e[k]);
  if (missing.length > 0) throw new ConfigurationError(`HH_GITOPS_CONSOLE_AUTH=jwt needs ${missing.join(", ")}`);
  return {
    mode: "jwt",
    clientId: e.HH_GITOPS_OIDC_CLIENT_ID!,
    authorizationEndpoint: e.HH_GITOPS_OIDC_AUTHORIZATION_ENDPOINT!,
    tokenEndpoint: e.HH_GITOPS_OIDC_TOKEN_ENDPOINT!,
    ...(e.HH_GITOPS_OIDC_LOGOUT_ENDPOINT ? { logoutEndpoint: e.HH_GITOPS_OIDC_LOGOUT_ENDPOINT } : {}),
    scopes: e.HH_GITOPS_OIDC_SCOPES.split(/\s+/).filter(Boolean),
  };
}
