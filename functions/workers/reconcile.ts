import { reconcileStage } from "../../lib/pipeline/reconcile-stage.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("reconcile", () => {
  const rt = runtime();
  return { ...rt, clock: () => new Date(), stages: { reconcile: reconcileStage(rt) } };
});
