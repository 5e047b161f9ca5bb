// The deploy-time settings of the cloud stack: from CDK context (cdk.json or `-c key=value`) or from
// stack props. Validated once, here, so a typo fails the synth with a message that names the setting.
import * as z from "zod";
import type { IConstruct } from "constructs";
import { DEFAULT_ALLOWED_HOSTS, parseAllowedHosts } from "../../lib/net/hosts.js";
import type { Wiring } from "../wiring-types.js";

/** Context keys read by infra/cloud/app.ts; each maps to the field of the same name. */
export const CONTEXT_KEYS = ["namePrefix", "secretNamePrefix", "allowedHosts", "allowedPrincipals", "scheduleRateMinutes", "alarmTopicArn", "auth", "jwt", "consoleUrl"] as const;

const ACCOUNT_ID = /^\d{12}$/;
// Trust policies accept accounts, account roots, roles and users — not assumed-role session ARNs.
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

/** `-c key=a,b` arrives as a string; cdk.json may hold a real array. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) => (typeof value === "string" ? value.split(",").map((s) => s.trim()).filter((s) => s !== "") : value),
    z.array(item),
  );

/** `-c scheduleRateMinutes=name=5,other=60` arrives as a string; cdk.json may hold an object. */
const rates = z.preprocess(
  (value) => {
    if (typeof value !== "string") return value;
    const trimmed = value.trim();
    if (trimmed.startsWith("{")) return JSON.parse(trimmed) as unknown;
    return Object.fromEntries(
      trimmed
        .split(",")
        .filter((pair) => pair.trim() !== "")
        .map((pair) => {
          const [name = "", minutes = ""] = pair.split("=").map((s) => s.trim());
          return [name, minutes];
        }),
    );
  },
  z.record(z.string().min(1), z.coerce.number().int().min(1).max(1440)),
);

const httpsUrl = z.url({ protocol: /^https$/, message: "an https URL" });

/** `-c jwt='{"issuer": ...}'` arrives as a string; cdk.json may hold an object. */
const jsonObject = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value; // not JSON: the schema says what it expected
    }
  }, schema);

/**
 * auth "jwt": without `issuer` the stack creates a Cognito user pool with a hosted-UI app client for the
 * console (authorization code + PKCE); with `issuer` it trusts that OpenID Connect issuer instead.
 */
export const jwtSettingsSchema = z
  .object({
    /** An existing issuer (its `iss`); absent: the stack's own Cognito user pool. */
    issuer: httpsUrl.optional(),
    /** With `issuer`: accepted `aud` (or Cognito `client_id`) values; the first is the console's client id unless clientId says otherwise. */
    audience: list(z.string().min(1)).optional(),
    clientId: z.string().min(1).optional(),
    /** With `issuer`: where the console sends the operator to sign in, and where it exchanges the code. */
    authorizationEndpoint: httpsUrl.optional(),
    tokenEndpoint: httpsUrl.optional(),
    logoutEndpoint: httpsUrl.optional(),
    /** Cognito hosted-UI domain prefix (unique in the region); default `<namePrefix>-<account id>`. */
    domainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "lowercase letters, digits and hyphens, at most 63")
      .refine((p) => !/aws|amazon|cognito/.test(p), "Cognito refuses prefixes containing aws, amazon or cognito")
      .optional(),
    /** Further console URLs Cognito may redirect to (a custom domain); the API's own URL is always allowed. */
    callbackUrls: list(httpsUrl).default([]),
    /** Cognito feature plan: "plus" adds threat protection (priced per monthly active user). */
    featurePlan: z.enum(["essentials", "plus"]).default("essentials"),
  })
  .strict();

export type JwtSettings = z.output<typeof jwtSettingsSchema>;

export const stackConfigSchema = z
  .object({
    /** Prefix of every physical name (stack, functions, queues, API, alarms); two prefixes can share an account. */
    namePrefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, "2–32 characters: lowercase letters, digits and hyphens, starting with a letter")
      .default("hedgehog-gitops"),
    /** Functions with access.secrets may read Secrets Manager secrets whose names start with this, nothing else. */
    secretNamePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_+=.@-][A-Za-z0-9/_+=.@-]*\/$/, "secret name characters only, ending with '/' (so 'a/' cannot also match 'ab/…')")
      .default("hedgehog-gitops/"),
    /** Hosts the functions may call (GitHub, Git remotes, Kubernetes API servers), https only: HH_GITOPS_ALLOWED_HOSTS. */
    allowedHosts: list(z.string().refine((h) => parseAllowedHosts(h)?.length === 1, "a host name or IP address"))
      .refine((hosts) => hosts.length > 0, "at least one host")
      .default([...DEFAULT_ALLOWED_HOSTS]),
    /** Accounts (12 digits) or IAM role/user/root ARNs allowed to assume the API invoker role. Empty: no role. */
    allowedPrincipals: list(
      z.string().refine((p) => ACCOUNT_ID.test(p) || PRINCIPAL_ARN.test(p), "an account id (12 digits) or an IAM root, role or user ARN"),
    ).default([]),
    /** Overrides the rate of a wiring schedule, by schedule name, in minutes. */
    scheduleRateMinutes: rates.default({}),
    /** SNS topic that the alarms notify; without it the alarms only show in the CloudWatch console. */
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, "an SNS topic ARN")
      .optional(),
    /** How API callers authenticate: iam (SigV4, machines and the CLI) or jwt (OpenID Connect; the console needs it). */
    auth: z.enum(["iam", "jwt"]).default("iam"),
    jwt: jsonObject(jwtSettingsSchema).optional(),
    /** Where operators open the console (checks, statuses and events link to its run pages); default: the API's own URL. */
    consoleUrl: httpsUrl.optional(),
  })
  .strict();

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type StackConfig = z.output<typeof stackConfigSchema>;

export class StackConfigError extends Error {
  override readonly name = "StackConfigError";
}

/** Validates the settings against the schema and against the wiring they refer to. */
export function parseStackConfig(input: unknown, wiring: Wiring): StackConfig {
  let parsed: ReturnType<typeof stackConfigSchema.safeParse>;
  try {
    parsed = stackConfigSchema.safeParse(input ?? {});
  } catch (error) {
    // Only the JSON form of scheduleRateMinutes can throw here.
    throw new StackConfigError(`invalid hedgehog-gitops stack configuration:\n- scheduleRateMinutes: ${(error as Error).message}`);
  }
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.map(String).join(".") || "(settings)"}: ${issue.message}`);
  if (parsed.success) {
    const { auth, jwt, allowedPrincipals } = parsed.data;
    if (auth === "iam" && jwt) problems.push('jwt: applies only with auth "jwt"');
    if (auth === "jwt" && allowedPrincipals.length > 0) problems.push('allowedPrincipals: the API invoker role is for auth "iam"; with "jwt" callers present a token');
    if (jwt?.issuer) {
      for (const key of ["audience", "authorizationEndpoint", "tokenEndpoint"] as const) {
        if (!jwt[key] || (Array.isArray(jwt[key]) && jwt[key].length === 0)) problems.push(`jwt.${key}: required with jwt.issuer`);
      }
    } else if (jwt) {
      for (const key of ["audience", "clientId", "authorizationEndpoint", "tokenEndpoint", "logoutEndpoint"] as const) {
        if (jwt[key] !== undefined) problems.push(`jwt.${key}: only with jwt.issuer (the stack's user pool sets its own)`);
      }
    }
    const scheduleNames = new Set(wiring.schedules.map((s) => s.name));
    for (const name of Object.keys(parsed.data.scheduleRateMinutes)) {
      if (!scheduleNames.has(name)) {
        problems.push(`scheduleRateMinutes.${name}: no schedule of that name in the wiring (known: ${[...scheduleNames].join(", ") || "none"})`);
      }
    }
  }
  if (!parsed.success || problems.length > 0) {
    throw new StackConfigError(`invalid hedgehog-gitops stack configuration:\n- ${problems.join("\n- ")}`);
  }
  return parsed.data;
}

/** The settings present in CDK context; absent keys fall back to the defaults. */
export function configFromContext(scope: IConstruct): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value: unknown = scope.node.tryGetContext(key);
    if (value !== undefined) found[key] = value;
  }
  return found;
}
