import { reconcileRuntime } from "../../lib/pipeline/cluster-connector.js";
import { reconcileStage } from "../../lib/pipeline/reconcile-stage.js";
import { workerFeedback } from "../../lib/pipeline/worker-feedback.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("reconcile", () => {
  const rt = reconcileRuntime();
  const { events, onRunEnd } = workerFeedback(rt);
  return { ...rt, clock: () => new Date(), stages: { reconcile: reconcileStage({ ...rt, events }) }, onRunEnd };
});
