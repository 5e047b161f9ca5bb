import { reconcileStage } from "../../lib/pipeline/reconcile-stage.js";
import { workerRuntime } from "../../lib/pipeline/connectors.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("reconcile", () => {
  const rt = workerRuntime();
  return { ...rt, clock: () => new Date(), stages: { reconcile: reconcileStage(rt) } };
});
