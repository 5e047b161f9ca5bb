// What a pull request would add (DESIGN §17): the findings of the plan of its head that the plan of the
// fabric's branch, as it is now, does not have. A finding the branch already has (a switch whose ASN
// the installer fills in, a file broken before) is not the pull request's doing: it is counted in the
// summary, not annotated, and does not decide the conclusion. A finding is the same when its file, rule,
// resource, field and message are (lines move when a file is edited above it).
import type { Fabric } from "../fabrics/schema.js";
import type { GitProvider } from "../git/provider.js";
import type { IngestPlan } from "../gitops/ingest-plan.js";
import type { Finding, ResourceIdentity } from "../hedgehog/index.js";
import { snapshotAndPlan } from "./ingest-stage.js";
import type { ValidationSource } from "./validation-source.js";

export interface CheckFindings {
  /** The findings the pull request's head adds, sorted (every one: a check run annotates them all). */
  readonly findings: readonly Finding[];
  /** Findings of the head that the branch has too. */
  readonly preexisting: number;
  /** The branch commit compared with; null when the branch has no commit (everything is new). */
  readonly comparedWith: string | null;
}

const sameness = (f: Finding) => JSON.stringify([f.file, f.rule, f.severity, f.kind, f.name, f.path, f.message]);

export function newFindings(head: readonly Finding[], base: readonly Finding[]): { findings: Finding[]; preexisting: number } {
  const known = new Map<string, number>();
  for (const f of base) known.set(sameness(f), (known.get(sameness(f)) ?? 0) + 1);
  const findings: Finding[] = [];
  let preexisting = 0;
  for (const f of head) {
    const key = sameness(f);
    const left = known.get(key) ?? 0;
    if (left > 0) {
      known.set(key, left - 1);
      preexisting++;
    } else findings.push(f);
  }
  return { findings, preexisting };
}

/** The head's plan against the branch's current head, judged the same way. */
export async function checkFindings(
  git: GitProvider,
  fabric: Fabric,
  headPlan: Pick<IngestPlan, "findings">,
  validation: ValidationSource,
  recorded?: ReadonlyMap<string, readonly ResourceIdentity[]>,
): Promise<CheckFindings> {
  const branch = await git.head(fabric.git.branch);
  if (!branch) return { findings: [...headPlan.findings], preexisting: 0, comparedWith: null };
  const base = await snapshotAndPlan(git, fabric, branch.sha, validation, recorded);
  return { ...newFindings(headPlan.findings, base.plan.findings), comparedWith: branch.sha };
}
