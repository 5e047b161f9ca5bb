// The local stack's simulated cluster: the kube-sim serving the project's CRDs, answering like the
// fabric's validating webhooks with our own lib/hedgehog rules (RULES.md INTRINSIC), and a kubeconfig
// file that fabrics with `"cluster": { "simulated": true }` are connected through.
import crdFiles from "../../lib/hedgehog/crds.generated.json" with { type: "json" };
import { ENGINE_RULES, normalizeResource, validateDocument } from "../../lib/hedgehog/index.js";
import { startKubeSim, writeKubeconfig, type AdmissionCheck, type KubeSim } from "./kube-sim/index.js";

/** The project's CRDs, as the catalog has them. */
export function projectCrds(): object[] {
  return (crdFiles as readonly { crd: object }[]).map((f) => f.crd);
}

const ENGINE = new Set<string>(Object.values(ENGINE_RULES));

/** The fabric's validating webhooks, approximated by our rules on the one object (SET rules need the set). */
export const hedgehogAdmission: AdmissionCheck = (operation, obj) => {
  if (operation === "DELETE" || obj === null) return { allowed: true };
  // The API server has already checked the schema; the webhook adds the rules the schema cannot carry.
  const findings = validateDocument({ index: 0, line: 1, value: normalizeResource(obj) }, { file: "admission" }).filter(
    (f) => f.severity === "error" && !ENGINE.has(f.rule),
  );
  if (findings.length === 0) return { allowed: true };
  return { allowed: false, message: findings.map((f) => `${f.path} ${f.message} (${f.rule})`).join("; ") };
};

export async function startSimulatedCluster(kubeconfigPath: string, token: string): Promise<KubeSim> {
  const sim = await startKubeSim({ crds: projectCrds(), token, admission: hedgehogAdmission });
  await writeKubeconfig(kubeconfigPath, { server: sim.url, token, name: "hedgehog-gitops-simulated", namespace: "default" });
  return sim;
}
