import { initStage } from "../../lib/pipeline/init-stage.js";
import { workerRuntime } from "../../lib/pipeline/connectors.js";
import { workerFeedback } from "../../lib/pipeline/worker-feedback.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("init", () => {
  const rt = workerRuntime();
  return { ...rt, clock: () => new Date(), stages: { init: initStage(rt) }, onRunEnd: workerFeedback(rt).onRunEnd };
});
