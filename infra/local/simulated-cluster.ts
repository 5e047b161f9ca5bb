// The local stack's simulated cluster: the kube-sim serving a set of Hedgehog CRDs (the bundled v0.126.0
// set unless told otherwise), answering like the fabric's validating webhooks with our own lib/hedgehog
// rules (RULES.md INTRINSIC, judged by the schemas it serves), over HTTPS with its own CA, and a
// kubeconfig file (usable by kubectl too) that fabrics with
// `"cluster": { "simulated": true }` are connected through.
import { CRD_DIR, loadCrds } from "../tools/crd-catalog.js";
import { buildCatalog, ENGINE_RULES, normalizeResource, validateDocument, type Catalog } from "../../lib/hedgehog/index.js";
import { createClusterTls, startKubeSim, writeKubeconfig, type AdmissionCheck, type KubeSim } from "./kube-sim/index.js";

/** The project's default CRDs (v0.126.0), as published, descriptions included: what a cluster serves. */
export function projectCrds(): object[] {
  return loadCrds(CRD_DIR);
}

const ENGINE = new Set<string>(Object.values(ENGINE_RULES));

/** The fabric's validating webhooks, approximated by our rules on the one object (SET rules need the set). */
export function hedgehogAdmission(catalog: Catalog): AdmissionCheck {
  return (operation, obj) => {
    if (operation === "DELETE" || obj === null) return { allowed: true };
    // The API server has already checked the schema; the webhook adds the rules the schema cannot carry.
    const findings = validateDocument({ index: 0, line: 1, value: normalizeResource(obj) }, { file: "admission", catalog }).filter(
      (f) => f.severity === "error" && !ENGINE.has(f.rule),
    );
    if (findings.length === 0) return { allowed: true };
    return { allowed: false, message: findings.map((f) => `${f.path} ${f.message} (${f.rule})`).join("; ") };
  };
}

export async function startSimulatedCluster(kubeconfigPath: string, token: string, crds: readonly object[] = projectCrds()): Promise<KubeSim> {
  const catalog = buildCatalog(crds, { kind: "cluster", resourceVersions: {} });
  // HTTPS with its own CA, as a real cluster: kubectl sends the token only over TLS it can verify.
  const tls = createClusterTls();
  const sim = await startKubeSim({ crds, token, admission: hedgehogAdmission(catalog), tls });
  await writeKubeconfig(kubeconfigPath, { server: sim.url, token, name: "hedgehog-gitops-simulated", namespace: "default", certificateAuthority: tls.ca });
  return sim;
}
