// One Powertools logger per process: JSON lines with correlation keys (fabricId, runId, stage).
// Secrets never go into log attributes; errors are logged by message and class, not by request body.
import { Logger } from "@aws-lambda-powertools/logger";

export const logger = new Logger({
  serviceName: "hedgehog-gitops",
  logLevel: (process.env.HH_GITOPS_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? "INFO") as "INFO",
});
