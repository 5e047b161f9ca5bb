// The stack's `auth` setting: iam (the default) keeps SigV4 on every non-public route and adds nothing;
// jwt puts a JWT authorizer on every non-public route, with the operators' Cognito user pool and the
// console's hosted-UI client (or an existing OIDC issuer), and tells the console how to sign in.
import { describe, expect, it } from "vitest";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { parseStackConfig, StackConfigError } from "../../../infra/cloud/config.js";
import { wiring } from "../../../infra/wiring.js";
import { referencedLogicalIds, synthesize, type Synthesized } from "./template.js";

const routesOf = (s: Synthesized) => Object.fromEntries(s.ofType("AWS::ApiGatewayV2::Route").map(([, r]) => [r.Properties!.RouteKey as string, r.Properties!]));
const consoleEnv = (s: Synthesized) => {
  const name = Object.entries(wiring.functions).find(([, f]) => f.access.console)![0];
  return (s.resources[s.logicalId(s.stack.functions.get(name)!)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
};
const nagViolations = (s: Synthesized) =>
  [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => pack.validateScope(s.app).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(", ")}`));

const iam = synthesize(wiring);
const jwt = synthesize(wiring, { config: { auth: "jwt" } });

describe("auth: iam (default)", () => {
  it("is the default, and the template is the same as with auth iam spelled out", () => {
    expect(iam.stack.config.auth).toBe("iam");
    expect(synthesize(wiring, { config: { auth: "iam" } }).template.toJSON()).toEqual(iam.template.toJSON());
  });

  it("has SigV4 on every non-public route, no authorizer resource, no user pool; the console is told it cannot sign in", () => {
    for (const route of wiring.routes) expect(routesOf(iam)[`${route.method} ${route.path}`]!.AuthorizationType).toBe(route.auth === "iam" ? "AWS_IAM" : "NONE");
    expect(iam.ofType("AWS::ApiGatewayV2::Authorizer")).toEqual([]);
    expect(Object.values(iam.resources).filter((r) => r.Type.startsWith("AWS::Cognito::"))).toEqual([]);
    expect(consoleEnv(iam).HH_GITOPS_CONSOLE_AUTH).toBe("iam");
    expect(Object.keys(consoleEnv(iam)).filter((k) => k.startsWith("HH_GITOPS_OIDC_"))).toEqual([]);
  });
});

describe("auth: jwt with the stack's own user pool", () => {
  it("puts one JWT authorizer on every non-public route and leaves the public ones open", () => {
    const authorizers = jwt.ofType("AWS::ApiGatewayV2::Authorizer");
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: "JWT", IdentitySource: ["$request.header.Authorization"] });
    const poolId = jwt.logicalId(jwt.stack.userPool!);
    const clientId = jwt.logicalId(jwt.stack.consoleClient!);
    const config = authorizer.Properties!.JwtConfiguration as { Audience: unknown; Issuer: unknown };
    expect(referencedLogicalIds(config.Audience)).toEqual([clientId]);
    expect(referencedLogicalIds(config.Issuer)).toContain(poolId);
    for (const route of wiring.routes) {
      const deployed = routesOf(jwt)[`${route.method} ${route.path}`]!;
      if (route.auth === "iam") expect(deployed, `${route.method} ${route.path}`).toMatchObject({ AuthorizationType: "JWT", AuthorizerId: { Ref: authorizerId } });
      else expect(deployed.AuthorizationType, `${route.method} ${route.path}`).toBe("NONE");
    }
  });

  it("creates an invite-only user pool with MFA, and a public console client: authorization code (PKCE), redirecting to the API's URL", () => {
    const [, pool] = jwt.ofType("AWS::Cognito::UserPool")[0]!;
    expect(pool.Properties).toMatchObject({ AdminCreateUserConfig: { AllowAdminCreateUserOnly: true }, MfaConfiguration: "ON", EnabledMfas: ["SOFTWARE_TOKEN_MFA"] });
    expect(pool.DeletionPolicy).toBe("Retain");
    const [, client] = jwt.ofType("AWS::Cognito::UserPoolClient")[0]!;
    expect(client.Properties).toMatchObject({ GenerateSecret: false, AllowedOAuthFlows: ["code"], AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ["COGNITO"] });
    expect(referencedLogicalIds(client.Properties!.CallbackURLs)).toContain(jwt.logicalId(jwt.stack.api));
    expect(jwt.ofType("AWS::Cognito::UserPoolDomain")).toHaveLength(1);
  });

  it("tells the console its client id and the hosted UI's endpoints, and outputs them", () => {
    const env = consoleEnv(jwt);
    expect(env.HH_GITOPS_CONSOLE_AUTH).toBe("jwt");
    expect(referencedLogicalIds(env.HH_GITOPS_OIDC_CLIENT_ID)).toEqual([jwt.logicalId(jwt.stack.consoleClient!)]);
    expect(JSON.stringify(env.HH_GITOPS_OIDC_AUTHORIZATION_ENDPOINT)).toContain("/oauth2/authorize");
    expect(JSON.stringify(env.HH_GITOPS_OIDC_TOKEN_ENDPOINT)).toContain("/oauth2/token");
    expect(Object.keys(jwt.outputs)).toEqual(expect.arrayContaining(["ApiUrl", "UserPoolId", "ConsoleClientId", "SignInUrl"]));
  });

  it("only adds to the iam template: every other resource is the same", () => {
    const jwtOnly = new Set(["AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain", "AWS::ApiGatewayV2::Authorizer"]);
    const consoleFn = iam.logicalId(iam.stack.functions.get(Object.entries(wiring.functions).find(([, f]) => f.access.console)![0])!);
    const added = Object.entries(jwt.resources).filter(([id]) => !(id in iam.resources));
    expect(added.every(([, r]) => jwtOnly.has(r.Type)), added.map(([id, r]) => `${id} ${r.Type}`).join(", ")).toBe(true);
    for (const [id, resource] of Object.entries(iam.resources)) {
      if (resource.Type === "AWS::ApiGatewayV2::Route" || id === consoleFn) continue;
      expect(jwt.resources[id], id).toEqual(resource);
    }
  });

  it("leaves no cdk-nag finding unacknowledged", () => {
    expect(nagViolations(jwt)).toEqual([]);
  });
});

describe("auth: jwt with an existing OIDC issuer", () => {
  const external = synthesize(wiring, {
    config: {
      auth: "jwt",
      jwt: JSON.stringify({
        issuer: "https://login.example.com/",
        audience: "hedgehog-console,hedgehog-ci",
        authorizationEndpoint: "https://login.example.com/authorize",
        tokenEndpoint: "https://login.example.com/oauth/token",
      }),
    },
  });

  it("trusts that issuer for the listed audiences and creates no user pool", () => {
    const [, authorizer] = external.ofType("AWS::ApiGatewayV2::Authorizer")[0]!;
    expect(authorizer.Properties!.JwtConfiguration).toEqual({ Issuer: "https://login.example.com/", Audience: ["hedgehog-console", "hedgehog-ci"] });
    expect(Object.values(external.resources).filter((r) => r.Type.startsWith("AWS::Cognito::"))).toEqual([]);
    expect(consoleEnv(external)).toMatchObject({ HH_GITOPS_CONSOLE_AUTH: "jwt", HH_GITOPS_OIDC_CLIENT_ID: "hedgehog-console", HH_GITOPS_OIDC_TOKEN_ENDPOINT: "https://login.example.com/oauth/token" });
    expect(nagViolations(external)).toEqual([]);
  });
});

describe("auth settings", () => {
  const problem = (input: unknown) => {
    try {
      parseStackConfig(input, wiring);
    } catch (error) {
      expect(error).toBeInstanceOf(StackConfigError);
      return (error as Error).message;
    }
    throw new Error("expected a rejection");
  };
  it("rejects settings that do not fit together, naming them", () => {
    expect(problem({ auth: "oidc" })).toMatch(/auth:/);
    expect(problem({ jwt: { domainPrefix: "ops" } })).toMatch(/jwt: applies only with auth "jwt"/);
    expect(problem({ auth: "jwt", allowedPrincipals: "123456789012" })).toMatch(/allowedPrincipals: the API invoker role is for auth "iam"/);
    expect(problem({ auth: "jwt", jwt: { issuer: "https://login.example.com/" } })).toMatch(/jwt\.audience: required with jwt\.issuer[\s\S]*jwt\.tokenEndpoint/);
    expect(problem({ auth: "jwt", jwt: { issuer: "http://login.example.com/", audience: "a", authorizationEndpoint: "https://x/a", tokenEndpoint: "https://x/t" } })).toMatch(/jwt\.issuer: an https URL/);
    expect(problem({ auth: "jwt", jwt: { audience: "a" } })).toMatch(/jwt\.audience: only with jwt\.issuer/);
    expect(problem({ auth: "jwt", jwt: { domainPrefix: "my-cognito-ops" } })).toMatch(/jwt\.domainPrefix/);
    expect(problem({ auth: "jwt", jwt: "{not json" })).toMatch(/jwt:/);
  });
});
