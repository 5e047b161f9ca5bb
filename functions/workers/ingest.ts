import { ingestStage } from "../../lib/pipeline/ingest-stage.js";
import { workerRuntime } from "../../lib/pipeline/connectors.js";
import { stageWorker } from "./stage-worker.js";

export const handler = stageWorker("ingest", () => {
  const rt = workerRuntime();
  return { ...rt, clock: () => new Date(), stages: { ingest: ingestStage(rt) } };
});
