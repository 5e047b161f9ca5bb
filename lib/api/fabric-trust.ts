// The trust rules (DESIGN §14) applied to a fabric's settings at the API, each refusal a 422 naming the
// field: secret references (lib/secrets/policy.ts), hosts (lib/net/hosts.ts), local repository paths
// (lib/git/local-repository.ts). The workers apply the same rules again before they act.
import type { TrustPolicy } from "../config/trust.js";
import type { z } from "zod";
import type { ClusterSettings, gitSettingsSchema } from "../fabrics/schema.js";
import { DEFAULT_GITHUB_API_URL } from "../git/github/api-url.js";
import { checkLocalRepository } from "../git/local-repository.js";
import { urlProblem } from "../net/hosts.js";
import { secretReferenceProblem } from "../secrets/policy.js";
import type { FieldProblem } from "./errors.js";

type GitBlock = z.output<typeof gitSettingsSchema>;

/** Every rule `git` and `cluster` of fabric `fabricId` break, one entry per field. */
export async function fabricTrustProblems(
  fabricId: string,
  settings: { readonly git?: GitBlock; readonly cluster?: ClusterSettings | null },
  trust: TrustPolicy,
): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const add = (pointer: string, message: string | null) => {
    if (message !== null) problems.push({ pointer, message });
  };
  const git = settings.git;
  if (git?.credentials !== undefined) add("/git/credentials", secretReferenceProblem(git.credentials, trust.secrets, fabricId));
  if (git?.provider === "github") {
    add("/git/apiUrl", urlProblem(git.apiUrl ?? DEFAULT_GITHUB_API_URL, trust.hosts));
  } else if (git?.provider === "git") {
    if (git.url.startsWith("/")) {
      const checked = await checkLocalRepository(git.url, trust.repoRoot);
      if (!checked.ok) add("/git/url", checked.problem);
    } else {
      add("/git/url", urlProblem(git.url, trust.hosts));
    }
  }
  const cluster = settings.cluster;
  if (cluster && "kubeconfig" in cluster) add("/cluster/kubeconfig", secretReferenceProblem(cluster.kubeconfig, trust.secrets, fabricId));
  return problems;
}
