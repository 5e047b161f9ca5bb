import { initStage } from "../../lib/pipeline/init-stage.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("init", () => {
  const rt = runtime();
  return { ...rt, clock: () => new Date(), stages: { init: initStage(rt) } };
});
