// Environment → typed settings, read in one place. Every handler and the local stack go through here.
import { isAbsolute, join, resolve } from "node:path";
import * as z from "zod";
import { DEFAULT_ALLOWED_HOSTS, parseAllowedHosts } from "../net/hosts.js";
import type { Deployment } from "../secrets/policy.js";
import { ConfigurationError } from "./errors.js";

/** publish and adopt write drafts and cluster-only objects back to Git (DESIGN §15), ahead of ingest. */
export const STAGES = ["init", "ingest", "reconcile", "publish", "adopt"] as const;
export type Stage = (typeof STAGES)[number];

const optionalUrl = z.url().optional();

const environmentSchema = z.object({
  AWS_REGION: z.string().min(1).default("us-east-1"),
  HH_GITOPS_TABLE: z.string().min(3).default("hedgehog-gitops"),
  HH_GITOPS_DYNAMODB_ENDPOINT: optionalUrl,
  HH_GITOPS_SQS_ENDPOINT: optionalUrl,
  HH_GITOPS_SECRETS_ENDPOINT: optionalUrl,
  HH_GITOPS_INIT_QUEUE_URL: optionalUrl,
  HH_GITOPS_INGEST_QUEUE_URL: optionalUrl,
  HH_GITOPS_RECONCILE_QUEUE_URL: optionalUrl,
  HH_GITOPS_PUBLISH_QUEUE_URL: optionalUrl,
  HH_GITOPS_ADOPT_QUEUE_URL: optionalUrl,
  HH_GITOPS_WEBHOOK_SECRET: z.string().min(1).optional(),
  HH_GITOPS_WEBHOOK_SECRET_REF: z.string().min(1).optional(),
  HH_GITOPS_LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("INFO"),
  HH_GITOPS_GITHUB_SPACE_WRITES: z.enum(["true", "false"]).default("true"),
  HH_GITOPS_SIMULATED_KUBECONFIG: z.string().min(1).optional(),
  // Trust boundaries (DESIGN §14). "cloud" is the strictest and the default; the local stack sets "local".
  HH_GITOPS_DEPLOYMENT: z.enum(["cloud", "local"]).default("cloud"),
  // The CDK stack passes its secretNamePrefix context ("hedgehog-gitops/"); the trailing slash is optional.
  HH_GITOPS_SECRET_NAME_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*\/?$/, { message: "must be a Secrets Manager name prefix such as hedgehog-gitops" })
    .default("hedgehog-gitops"),
  HH_GITOPS_ALLOWED_HOSTS: z
    .string()
    .default(DEFAULT_ALLOWED_HOSTS.join(","))
    .transform((value, context) => {
      const hosts = parseAllowedHosts(value);
      if (hosts === null) context.addIssue({ code: "custom", message: "must be a comma-separated list of host names or IP addresses" });
      return hosts ?? [];
    }),
  HH_GITOPS_REPO_ROOT: z.string().min(1).optional(),
  HH_GITOPS_DATA_DIR: z.string().min(1).optional(),
  HH_GITOPS_RUN_LEASE_SECONDS: z.coerce.number().int().min(2).max(86_400).default(300),
  HH_GITOPS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(900).default(10),
  HH_GITOPS_STAGE_BUDGET_SECONDS: z.coerce.number().int().min(1).max(900).optional(),
  // Feedback where people look (DESIGN §17): the EventBridge bus (the CDK stack sets it), an endpoint
  // override for it, and the console's base URL for links from checks, statuses and events.
  HH_GITOPS_EVENT_BUS_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/).optional(),
  HH_GITOPS_EVENTS_ENDPOINT: optionalUrl,
  HH_GITOPS_CONSOLE_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export interface Settings {
  readonly region: string;
  readonly tableName: string;
  readonly endpoints: { readonly dynamodb?: string; readonly sqs?: string; readonly secretsManager?: string; readonly events?: string };
  readonly queueUrls: Readonly<Partial<Record<Stage, string>>>;
  readonly webhookSecret?: string;
  /** A secret reference (env:, file:, aws-sm:) to the webhook secret; the cloud stack sets one. The value above wins. */
  readonly webhookSecretRef?: string;
  readonly logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
  /** GitHub asks for a second between content-creating requests; a simulated GitHub does not need it. */
  readonly githubSpaceWrites: boolean;
  /** The local stack's simulated cluster, for fabrics with `"cluster": { "simulated": true }`. */
  readonly simulatedKubeconfig?: string;
  /** "cloud": only aws-sm: secrets, https to allowed hosts, no local repositories. "local": see DESIGN §14. */
  readonly deployment: Deployment;
  /** A fabric's Secrets Manager secrets are named `<secretNamePrefix>/<fabricId>/<name>` (no trailing slash here). */
  readonly secretNamePrefix: string;
  /** Hosts that Git, GitHub and Kubernetes requests may go to (https); "local" adds loopback. */
  readonly allowedHosts: readonly string[];
  /** Local deployment: absolute folder under which fabrics' local bare repositories must lie (default `<data dir>/repos`). */
  readonly repoRoot?: string;
  /** Local deployment: absolute data dir; file: secrets lie under its secrets/ folder. */
  readonly dataDir?: string;
  /** How long a run may go without a stage renewing its lease before it is presumed lost (DESIGN §6). */
  readonly runLeaseSeconds: number;
  /** The first SQS redelivery delay of a failed stage; each later one is three times longer (10, 30, 90 s, ...). */
  readonly retryDelaySeconds: number;
  /**
   * At most this long per stage invocation, even when the function has more time (benchmarks and tests
   * cut it to make a stage span several invocations). Unset: the function's remaining time less a reserve.
   */
  readonly stageBudgetSeconds?: number;
  /** The EventBridge bus events go to; absent: the local stack's <data dir>/events.jsonl, or the log. */
  readonly eventBusName?: string;
  /** The console's base URL (no trailing slash): checks, statuses and events link to `<url>/#/fabrics/<id>/runs/<runId>`. */
  readonly consoleUrl?: string;
}

/** The environment variable that carries a stage queue's URL (set by the CDK stack or the local stack). */
export function queueUrlVariable(stage: Stage): string {
  return `HH_GITOPS_${stage.toUpperCase()}_QUEUE_URL`;
}

export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  const queueUrls: Partial<Record<Stage, string>> = {};
  for (const stage of STAGES) {
    const url = e[queueUrlVariable(stage) as keyof typeof e] as string | undefined;
    if (url) queueUrls[stage] = url;
  }
  return {
    region: e.AWS_REGION,
    tableName: e.HH_GITOPS_TABLE,
    endpoints: {
      ...(e.HH_GITOPS_DYNAMODB_ENDPOINT ? { dynamodb: e.HH_GITOPS_DYNAMODB_ENDPOINT } : {}),
      ...(e.HH_GITOPS_SQS_ENDPOINT ? { sqs: e.HH_GITOPS_SQS_ENDPOINT } : {}),
      ...(e.HH_GITOPS_SECRETS_ENDPOINT ? { secretsManager: e.HH_GITOPS_SECRETS_ENDPOINT } : {}),
      ...(e.HH_GITOPS_EVENTS_ENDPOINT ? { events: e.HH_GITOPS_EVENTS_ENDPOINT } : {}),
    },
    queueUrls,
    ...(e.HH_GITOPS_WEBHOOK_SECRET ? { webhookSecret: e.HH_GITOPS_WEBHOOK_SECRET } : {}),
    ...(e.HH_GITOPS_WEBHOOK_SECRET_REF ? { webhookSecretRef: e.HH_GITOPS_WEBHOOK_SECRET_REF } : {}),
    logLevel: e.HH_GITOPS_LOG_LEVEL,
    githubSpaceWrites: e.HH_GITOPS_GITHUB_SPACE_WRITES === "true",
    ...(e.HH_GITOPS_SIMULATED_KUBECONFIG ? { simulatedKubeconfig: e.HH_GITOPS_SIMULATED_KUBECONFIG } : {}),
    deployment: e.HH_GITOPS_DEPLOYMENT,
    secretNamePrefix: e.HH_GITOPS_SECRET_NAME_PREFIX.replace(/\/$/, ""),
    allowedHosts: e.HH_GITOPS_ALLOWED_HOSTS,
    ...localPaths(e.HH_GITOPS_DEPLOYMENT, e.HH_GITOPS_DATA_DIR, e.HH_GITOPS_REPO_ROOT),
    runLeaseSeconds: e.HH_GITOPS_RUN_LEASE_SECONDS,
    retryDelaySeconds: e.HH_GITOPS_RETRY_DELAY_SECONDS,
    ...(e.HH_GITOPS_STAGE_BUDGET_SECONDS !== undefined ? { stageBudgetSeconds: e.HH_GITOPS_STAGE_BUDGET_SECONDS } : {}),
    ...(e.HH_GITOPS_EVENT_BUS_NAME ? { eventBusName: e.HH_GITOPS_EVENT_BUS_NAME } : {}),
    ...(e.HH_GITOPS_CONSOLE_URL ? { consoleUrl: e.HH_GITOPS_CONSOLE_URL.replace(/\/+$/, "") } : {}),
  };
}

/** The data dir and repository root of the local deployment, absolute; none in the cloud (a Lambda has no data dir). */
function localPaths(deployment: Deployment, dataDir: string | undefined, repoRoot: string | undefined): { dataDir?: string; repoRoot?: string } {
  if (deployment !== "local") return {};
  const data = dataDir === undefined ? undefined : resolve(dataDir);
  const root = repoRoot !== undefined ? resolve(repoRoot) : data !== undefined ? join(data, "repos") : undefined;
  if (repoRoot !== undefined && !isAbsolute(repoRoot)) throw new ConfigurationError("environment variable HH_GITOPS_REPO_ROOT: must be an absolute path");
  return { ...(data !== undefined ? { dataDir: data } : {}), ...(root !== undefined ? { repoRoot: root } : {}) };
}

let cached: { key: string; settings: Settings } | undefined;

/** Settings of the running process. Re-read when the environment changed (the local stack sets it). */
export function currentSettings(): Settings {
  const key = JSON.stringify(Object.entries(process.env).filter(([k]) => k.startsWith("HH_GITOPS_") || k === "AWS_REGION").sort());
  if (cached?.key !== key) cached = { key, settings: parseSettings(process.env) };
  return cached.settings;
}
