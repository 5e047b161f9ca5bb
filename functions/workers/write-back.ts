import { adoptStage } from "../../lib/pipeline/adopt-stage.js";
import { reconcileRuntime } from "../../lib/pipeline/cluster-connector.js";
import { publishStage } from "../../lib/pipeline/publish-stage.js";
import { workerFeedback } from "../../lib/pipeline/worker-feedback.js";
import { stageWorker } from "./stage-worker.js";

// Both write-back stages (DESIGN §15): publish judges drafts by the cluster's CRDs like ingest; adopt
// reads the cluster's objects. Either may end a run (a conflict, a refused commit): its result is
// published like any other stage's.
export const handler = stageWorker(["publish", "adopt"], () => {
  const rt = reconcileRuntime();
  const { onRunEnd } = workerFeedback(rt);
  return { ...rt, clock: () => new Date(), stages: { publish: publishStage(rt), adopt: adoptStage(rt) }, onRunEnd };
});
