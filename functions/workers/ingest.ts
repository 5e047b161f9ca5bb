import { reconcileRuntime } from "../../lib/pipeline/cluster-connector.js";
import { ingestStage } from "../../lib/pipeline/ingest-stage.js";
import { workerFeedback } from "../../lib/pipeline/worker-feedback.js";
import { stageWorker } from "./stage-worker.js";

// The cluster connector too: a fabric with a cluster is validated by the CRDs and objects it serves.
export const handler = stageWorker("ingest", () => {
  const rt = reconcileRuntime();
  const { events, onRunEnd } = workerFeedback(rt);
  return { ...rt, clock: () => new Date(), stages: { ingest: ingestStage({ ...rt, events }) }, onRunEnd };
});
