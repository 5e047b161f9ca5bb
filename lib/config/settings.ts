// Environment → typed settings, read in one place. Every handler and the local stack go through here.
import * as z from "zod";
import { ConfigurationError } from "./errors.js";

export const STAGES = ["init", "ingest", "reconcile"] as const;
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
  HH_GITOPS_WEBHOOK_SECRET: z.string().min(1).optional(),
  HH_GITOPS_WEBHOOK_SECRET_REF: z.string().min(1).optional(),
  HH_GITOPS_LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("INFO"),
  HH_GITOPS_GITHUB_SPACE_WRITES: z.enum(["true", "false"]).default("true"),
  HH_GITOPS_SIMULATED_KUBECONFIG: z.string().min(1).optional(),
  HH_GITOPS_RUN_LEASE_SECONDS: z.coerce.number().int().min(2).max(86_400).default(300),
  HH_GITOPS_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(900).default(10),
});

export interface Settings {
  readonly region: string;
  readonly tableName: string;
  readonly endpoints: { readonly dynamodb?: string; readonly sqs?: string; readonly secretsManager?: string };
  readonly queueUrls: Readonly<Partial<Record<Stage, string>>>;
  readonly webhookSecret?: string;
  /** A secret reference (env:, file:, aws-sm:) to the webhook secret; the cloud stack sets one. The value above wins. */
  readonly webhookSecretRef?: string;
  readonly logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
  /** GitHub asks for a second between content-creating requests; a simulated GitHub does not need it. */
  readonly githubSpaceWrites: boolean;
  /** The local stack's simulated cluster, for fabrics with `"cluster": { "simulated": true }`. */
  readonly simulatedKubeconfig?: string;
  /** How long a run may go without a stage renewing its lease before it is presumed lost (DESIGN §6). */
  readonly runLeaseSeconds: number;
  /** The first SQS redelivery delay of a failed stage; each later one is three times longer (10, 30, 90 s, ...). */
  readonly retryDelaySeconds: number;
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
    },
    queueUrls,
    ...(e.HH_GITOPS_WEBHOOK_SECRET ? { webhookSecret: e.HH_GITOPS_WEBHOOK_SECRET } : {}),
    ...(e.HH_GITOPS_WEBHOOK_SECRET_REF ? { webhookSecretRef: e.HH_GITOPS_WEBHOOK_SECRET_REF } : {}),
    logLevel: e.HH_GITOPS_LOG_LEVEL,
    githubSpaceWrites: e.HH_GITOPS_GITHUB_SPACE_WRITES === "true",
    ...(e.HH_GITOPS_SIMULATED_KUBECONFIG ? { simulatedKubeconfig: e.HH_GITOPS_SIMULATED_KUBECONFIG } : {}),
    runLeaseSeconds: e.HH_GITOPS_RUN_LEASE_SECONDS,
    retryDelaySeconds: e.HH_GITOPS_RETRY_DELAY_SECONDS,
  };
}

let cached: { key: string; settings: Settings } | undefined;

/** Settings of the running process. Re-read when the environment changed (the local stack sets it). */
export function currentSettings(): Settings {
  const key = JSON.stringify(Object.entries(process.env).filter(([k]) => k.startsWith("HH_GITOPS_") || k === "AWS_REGION").sort());
  if (cached?.key !== key) cached = { key, settings: parseSettings(process.env) };
  return cached.settings;
}
