import { ingestStage } from "../../lib/pipeline/ingest-stage.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("ingest", () => {
  const rt = runtime();
  return { ...rt, clock: () => new Date(), stages: { ingest: ingestStage(rt) } };
});
