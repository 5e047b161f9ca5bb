// What a fabric is, as the API accepts it. Strict objects: an unknown key is an error, not ignored.
import * as z from "zod";
import { directoryProblem } from "../git/paths.js";
import { hedgehogSettingsSchema, type HedgehogSettings } from "../hedgehog/settings.js";

export const FABRIC_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Where a secret lives; the secret itself is never stored in the table. The form is checked here; which
 * references a fabric may use (its own only) is lib/secrets/policy.ts, applied by lib/api/fabric-trust.ts.
 */
export const secretReferenceSchema = z
  .string()
  .max(1024)
  .regex(/^(env:[A-Za-z_][A-Za-z0-9_]*|file:\/\S.*|aws-sm:\S+)$/, {
    message: "must be a secret reference: aws-sm:<prefix>/<fabric>/<name>; in the local stack also env:HH_GITOPS_SECRET_<NAME> or file:<data dir>/secrets/<name>",
  })
  .describe("secret reference: aws-sm:<prefix>/<fabric>/<name>; in the local stack also env:HH_GITOPS_SECRET_<NAME> or file:<data dir>/secrets/<name>");

const directorySchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, {
    message: "must be a repository-relative path without leading or trailing slash",
  })
  .refine((d) => !d.split("/").some((part) => part === "." || part === ".."), {
    message: "must not contain . or .. segments",
  })
  // The providers' own rules (lib/git/paths.ts): no .git segment in any case, no backslash or control character.
  .superRefine((d, context) => {
    const problem = directoryProblem(d);
    if (problem !== null) context.addIssue({ code: "custom", message: problem });
  });

const branchSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!\/)(?!.*\/\/)(?!.*\.\.)(?!.*\/$)[A-Za-z0-9._/-]+$/, { message: "must be a valid branch name" });

const gitRepositoryUrl = z.string().max(2048).refine((u) => u.startsWith("/") || /^https?:\/\/[^\s]+$/.test(u), {
  message: "must be an absolute path to a bare repository or an http(s) URL",
});

/**
 * How drafts and adopted objects reach the branch (DESIGN §15): one commit on it, or a new branch with
 * a pull request (on a plain Git remote: the branch alone) that someone merges.
 */
const writeBackValues = z.enum(["direct", "pull-request"]);
// Optional rather than defaulted: fabrics registered before it read the same as those that leave it out (writeBackOf).
const writeBackSchema = writeBackValues
  .optional()
  .describe("how publish and adopt write to Git: direct (one commit on the branch) or pull-request (the default: a new branch and, on GitHub, a pull request)");

export type WriteBack = z.output<typeof writeBackValues>;

export const gitSettingsSchema = z.discriminatedUnion("provider", [
  z.strictObject({
    provider: z.literal("git"),
    url: gitRepositoryUrl,
    branch: branchSchema.default("main"),
    directory: directorySchema.optional(),
    credentials: secretReferenceSchema.optional(),
    writeBack: writeBackSchema,
  }),
  z.strictObject({
    provider: z.literal("github"),
    owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "must be a GitHub owner name" }),
    repo: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { message: "must be a GitHub repository name" }),
    apiUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
    credentials: secretReferenceSchema,
    branch: branchSchema.default("main"),
    directory: directorySchema.optional(),
    writeBack: writeBackSchema,
  }),
]);

/**
 * The client-side rate limit of the fabric's cluster (client-go's QPS and Burst); without it 20 requests
 * a second, bursts of 40 (lib/cluster/rate-limit.ts). Raise it for a large fabric on a cluster that can
 * take it; the API server's own priority and fairness answers 429 when it cannot, and that is waited out.
 */
export const clusterRateLimitSchema = z
  .strictObject({
    qps: z.number().min(0.1).max(1000).describe("requests per second to the cluster, sustained"),
    burst: z.int().min(1).max(2000).optional().describe("requests at once after a quiet period (default: twice qps)"),
  })
  .describe("client-side rate limit of the cluster's API (default 20 requests per second, bursts of 40)");

export const clusterSettingsSchema = z.union([
  z.strictObject({
    // A secret reference, never a path (DESIGN §14): the kubeconfig is a secret.
    kubeconfig: secretReferenceSchema.describe("secret reference to the kubeconfig: aws-sm:<prefix>/<fabric>/<name>; locally also env:HH_GITOPS_SECRET_<NAME> or file:<data dir>/secrets/<name>"),
    namespace: z.literal("default").default("default"),
    rateLimit: clusterRateLimitSchema.optional(),
  }),
  z.strictObject({
    simulated: z.literal(true).describe("the local stack's simulated Kubernetes API server"),
    rateLimit: clusterRateLimitSchema.optional(),
  }),
]);

const syncFields = {
  mode: z.enum(["observe", "apply"]).describe("observe: detect and report only; apply: apply Git to the cluster"),
  prune: z.boolean().describe("delete orphaned objects that carry our tracking annotation"),
  intervalMinutes: z.int().min(1).max(10_080).describe("scheduled sync interval"),
  keepOriginals: z.boolean().describe("move ingested raw files to raw/processed/ instead of deleting them"),
  suspended: z.boolean().describe("skip scheduled syncs"),
};

export const syncSettingsSchema = z.strictObject({
  mode: syncFields.mode.default("observe"),
  prune: syncFields.prune.default(false),
  intervalMinutes: syncFields.intervalMinutes.default(5),
  keepOriginals: syncFields.keepOriginals.default(false),
  suspended: syncFields.suspended.default(false),
});

/** Without defaults: a partial update must not reset the fields it does not name. */
const syncPatchSchema = z.strictObject(syncFields).partial();

export const fabricInputSchema = z.strictObject({
  name: z.string().regex(FABRIC_NAME, { message: "must be a DNS label: lowercase letters, digits and '-', at most 63 characters" }),
  git: gitSettingsSchema,
  cluster: clusterSettingsSchema.nullable().default(null),
  sync: syncSettingsSchema.default(syncSettingsSchema.parse({})),
  /** The fabric's own settings (FabricConfig keys) that CONFIG-tagged rules need; absent values skip those rules. */
  hedgehog: hedgehogSettingsSchema.default({}),
});

/** PATCH: any top-level block may be replaced; `sync` may be given partially. The name (the id) never changes. */
export const fabricPatchSchema = z
  .strictObject({
    git: gitSettingsSchema.optional(),
    cluster: clusterSettingsSchema.nullable().optional(),
    sync: syncPatchSchema.optional(),
    hedgehog: hedgehogSettingsSchema.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: "the patch changes nothing: give git, cluster, sync or hedgehog" });

export type FabricInput = z.input<typeof fabricInputSchema>;
export type GitSettings = z.output<typeof gitSettingsSchema> & { directory: string };
export type ClusterSettings = z.output<typeof clusterSettingsSchema>;
export type SyncSettings = z.output<typeof syncSettingsSchema>;
export type FabricPatch = z.output<typeof fabricPatchSchema>;

export type DirectoryStatus = "not_initialized" | "initializing" | "initialized" | "error";

export interface Fabric {
  readonly id: string;
  /**
   * This registration: random, made at registration, never changed by PATCH. Deleting the fabric and
   * registering the name again makes a new one. The tracking annotation and the resource records carry
   * it, so that nothing of an earlier registration is pruned or inherited (DESIGN §14).
   */
  readonly uid: string;
  readonly name: string;
  readonly git: GitSettings;
  readonly cluster: ClusterSettings | null;
  readonly sync: SyncSettings;
  readonly hedgehog: HedgehogSettings;
  readonly directory: { readonly status: DirectoryStatus; readonly error: string | null; readonly lastInitAt: string | null };
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The fabric's write-back; a fabric registered before the setting existed has the default. */
export function writeBackOf(git: { readonly writeBack?: WriteBack | undefined }): WriteBack {
  return git.writeBack ?? "pull-request";
}

export function defaultDirectory(name: string): string {
  return `gitops/hedgehog/${name}`;
}
