// Settings of the local stack (npm start), from the environment. Read only by infra/local.
import * as z from "zod";
import { ConfigurationError } from "./errors.js";

const port = z.coerce.number().int().min(0).max(65_535);

/** The API bearer token, from HH_GITOPS_TOKEN or the data dir's token file: the same bounds for both. */
const tokenSchema = z
  .string()
  .min(16, { message: "must be at least 16 characters" })
  .max(512, { message: "must be at most 512 characters" })
  .regex(/^[\x21-\x7e]+$/, { message: "must be printable ASCII without spaces" });

const localSchema = z.object({
  PORT: port.default(3000),
  HH_GITOPS_TOKEN: tokenSchema.optional(),
  HH_GITOPS_DATA_DIR: z.string().min(1).default(".data"),
  HH_GITOPS_REPO_ROOT: z.string().min(1).optional(),
  HH_GITOPS_WEBHOOK_SECRET: z.string().min(1).optional(),
  HH_GITOPS_DYNAMODB_PORT: port.default(0),
  HH_GITOPS_SQS_PORT: port.default(0),
  HH_GITOPS_TABLE: z.string().min(3).default("hedgehog-gitops"),
  HH_GITOPS_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/).default("hedgehog-gitops"),
  HH_GITOPS_LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("INFO"),
  HH_GITOPS_BUNDLED: z.enum(["0", "1", "false", "true"]).default("0"),
});

export interface LocalStackSettings {
  readonly port: number;
  /** Absent: the stack generates one into the data dir and prints it. */
  readonly token?: string;
  readonly dataDir: string;
  /** Where fabrics' local bare repositories must lie; absent: `<data dir>/repos`. */
  readonly repoRoot?: string;
  readonly webhookSecret?: string;
  readonly dynamodbPort: number;
  readonly sqsPort: number;
  readonly tableName: string;
  readonly queuePrefix: string;
  readonly logLevel: "DEBUG" | "INFO" | "WARN" | "ERROR" | "SILENT";
  /** Run the functions' deployed esbuild bundles instead of their TypeScript sources (also `--bundled`). */
  readonly bundled: boolean;
}

/** The token saved in `<data dir>/token`, checked like HH_GITOPS_TOKEN (one trailing newline allowed). */
export function parseTokenFile(content: string, file: string): string {
  const parsed = tokenSchema.safeParse(content.replace(/\r?\n$/, ""));
  if (!parsed.success) throw new ConfigurationError(`token file ${file}: ${parsed.error.issues[0]?.message ?? "invalid"}; fix or delete it (a new one is generated)`);
  return parsed.data;
}

export function parseLocalStackSettings(env: NodeJS.ProcessEnv): LocalStackSettings {
  const parsed = localSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(`environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    ...(e.HH_GITOPS_TOKEN ? { token: e.HH_GITOPS_TOKEN } : {}),
    dataDir: e.HH_GITOPS_DATA_DIR,
    ...(e.HH_GITOPS_REPO_ROOT ? { repoRoot: e.HH_GITOPS_REPO_ROOT } : {}),
    ...(e.HH_GITOPS_WEBHOOK_SECRET ? { webhookSecret: e.HH_GITOPS_WEBHOOK_SECRET } : {}),
    dynamodbPort: e.HH_GITOPS_DYNAMODB_PORT,
    sqsPort: e.HH_GITOPS_SQS_PORT,
    tableName: e.HH_GITOPS_TABLE,
    queuePrefix: e.HH_GITOPS_QUEUE_PREFIX,
    logLevel: e.HH_GITOPS_LOG_LEVEL,
    bundled: e.HH_GITOPS_BUNDLED === "1" || e.HH_GITOPS_BUNDLED === "true",
  };
}
