// THE list of routes, queues, consumers and schedules. The local stack (infra/local) and the CDK stack
// (infra/cloud) are both built from it: add a route or queue here and it exists in both.
import { defineWiring } from "./wiring-types.js";

// Request body limits per route (DESIGN §14). A fabric registration is a few hundred bytes; 64 KiB
// leaves room for long hedgehog settings and still keeps a fabric item far below DynamoDB's 400 KB.
// GitHub caps webhook payloads at 25 MB (https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap).
const NO_BODY = 0;
const FABRIC_BODY = 64 * 1024;
const WEBHOOK_BODY = 25 * 1024 * 1024;
// One resource as a draft, or an adopt selection of up to 1,000 objects.
const DRAFT_BODY = 256 * 1024;
// Documents to validate: as much as one file of raw/ may hold (the parser's limit).
const VALIDATE_BODY = 1024 * 1024;

// A stage worker sends to the next stage, and a finishing run may launch its rerun at any first stage.
const STAGE_QUEUES = ["init", "ingest", "reconcile", "publish", "adopt"];
// Whatever starts a run, or hands the fabric to a follow-up (a sync, or a publish or adopt that a
// trigger asked for while a run was in flight), sends to the first stage of its chain.
const FIRST_STAGE_QUEUES = ["init", "ingest", "publish", "adopt"];

export const wiring = defineWiring({
  functions: {
    // DELETE ?force=true cancels the run in flight, which may hand the fabric to a follow-up (init or ingest first).
    fabricsApi: { entry: "functions/http/fabrics.ts", timeoutSeconds: 10, memoryMb: 512, access: { table: "write", sendTo: FIRST_STAGE_QUEUES } },
    // Health, the API description, and the catch-all route's 404/405 answers.
    metaApi: { entry: "functions/http/meta.ts", timeoutSeconds: 5, memoryMb: 256, access: {} },
    // The console's static files; it holds no data and reads nothing.
    consoleApi: { entry: "functions/http/console.ts", timeoutSeconds: 5, memoryMb: 256, access: { console: true } },
    runsApi: { entry: "functions/http/runs.ts", timeoutSeconds: 10, memoryMb: 512, access: { table: "write", sendTo: FIRST_STAGE_QUEUES } },
    resourcesApi: { entry: "functions/http/resources.ts", timeoutSeconds: 10, memoryMb: 512, access: { table: "read" } },
    // Drafts are judged by the fabric's Git and cluster as ingest judges them (and a publish checks Git
    // for conflicts first), so this API function has the stage workers' reach. API Gateway waits 30 s.
    writeBackApi: { entry: "functions/http/write-back.ts", timeoutSeconds: 29, memoryMb: 1024, access: { table: "write", sendTo: FIRST_STAGE_QUEUES, secrets: true } },
    // GitHub gives up on a delivery after 10 s. A sync run starts with init or ingest. It reads a pull
    // request's changed files with the fabric's own Git credentials (secrets).
    webhookApi: { entry: "functions/http/webhooks.ts", timeoutSeconds: 10, memoryMb: 512, access: { table: "write", sendTo: FIRST_STAGE_QUEUES, webhookSecret: true, secrets: true } },
    scheduleTick: { entry: "functions/schedule/tick.ts", timeoutSeconds: 60, memoryMb: 512, access: { table: "write", sendTo: FIRST_STAGE_QUEUES } },
    // Any stage may end a run: each publishes the run's result on its commit and the events (DESIGN §17).
    initWorker: { entry: "functions/workers/init.ts", timeoutSeconds: 60, memoryMb: 512, access: { table: "write", sendTo: STAGE_QUEUES, secrets: true, events: true } },
    ingestWorker: { entry: "functions/workers/ingest.ts", timeoutSeconds: 150, memoryMb: 1024, access: { table: "write", sendTo: STAGE_QUEUES, secrets: true, events: true } },
    reconcileWorker: { entry: "functions/workers/reconcile.ts", timeoutSeconds: 150, memoryMb: 1024, access: { table: "write", sendTo: STAGE_QUEUES, secrets: true, events: true } },
    // The publish and adopt stages: one function for both queues (the same reach: Git, the cluster, the table).
    writeBackWorker: { entry: "functions/workers/write-back.ts", timeoutSeconds: 150, memoryMb: 1024, access: { table: "write", sendTo: STAGE_QUEUES, secrets: true, events: true } },
  },
  routes: [
    { method: "GET", path: "/health", function: "metaApi", auth: "none", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/openapi.json", function: "metaApi", auth: "none", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/", function: "consoleApi", auth: "none", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/console/{asset}", function: "consoleApi", auth: "none", maxBodyBytes: NO_BODY },
    { method: "POST", path: "/fabrics", function: "fabricsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "GET", path: "/fabrics", function: "fabricsApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/fabrics/{id}", function: "fabricsApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "PATCH", path: "/fabrics/{id}", function: "fabricsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "DELETE", path: "/fabrics/{id}", function: "fabricsApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "POST", path: "/fabrics/{id}/init", function: "runsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "POST", path: "/fabrics/{id}/ingest", function: "runsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "POST", path: "/fabrics/{id}/sync", function: "runsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "POST", path: "/fabrics/{id}/plan", function: "runsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "GET", path: "/fabrics/{id}/status", function: "runsApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/fabrics/{id}/runs", function: "runsApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/fabrics/{id}/runs/{runId}", function: "runsApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "POST", path: "/fabrics/{id}/runs/{runId}/cancel", function: "runsApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "GET", path: "/fabrics/{id}/resources", function: "resourcesApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/fabrics/{id}/resources/{kind}/{name}", function: "resourcesApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "PUT", path: "/fabrics/{id}/resources/{kind}/{name}", function: "writeBackApi", auth: "iam", maxBodyBytes: DRAFT_BODY },
    { method: "DELETE", path: "/fabrics/{id}/resources/{kind}/{name}", function: "writeBackApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/fabrics/{id}/drafts", function: "writeBackApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "GET", path: "/fabrics/{id}/drafts/{kind}/{name}", function: "writeBackApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "DELETE", path: "/fabrics/{id}/drafts/{kind}/{name}", function: "writeBackApi", auth: "iam", maxBodyBytes: NO_BODY },
    { method: "POST", path: "/fabrics/{id}/validate", function: "writeBackApi", auth: "iam", maxBodyBytes: VALIDATE_BODY },
    { method: "POST", path: "/fabrics/{id}/drafts/publish", function: "writeBackApi", auth: "iam", maxBodyBytes: FABRIC_BODY },
    { method: "POST", path: "/fabrics/{id}/adopt", function: "writeBackApi", auth: "iam", maxBodyBytes: DRAFT_BODY },
    { method: "POST", path: "/webhooks/github", function: "webhookApi", auth: "signature", maxBodyBytes: WEBHOOK_BODY },
  ],
  // Unknown paths (404) and wrong methods (405 with Allow), as problem+json from the route table above.
  defaultRoute: { function: "metaApi" },
  queues: [
    { name: "init", fifo: true, visibilityTimeoutSeconds: 360, maxReceiveCount: 5, urlVariable: "HH_GITOPS_INIT_QUEUE_URL" },
    { name: "ingest", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 5, urlVariable: "HH_GITOPS_INGEST_QUEUE_URL" },
    { name: "reconcile", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 5, urlVariable: "HH_GITOPS_RECONCILE_QUEUE_URL" },
    { name: "publish", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 5, urlVariable: "HH_GITOPS_PUBLISH_QUEUE_URL" },
    { name: "adopt", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 5, urlVariable: "HH_GITOPS_ADOPT_QUEUE_URL" },
  ],
  consumers: [
    { queue: "init", function: "initWorker", batchSize: 1 },
    { queue: "ingest", function: "ingestWorker", batchSize: 1 },
    { queue: "reconcile", function: "reconcileWorker", batchSize: 1 },
    { queue: "publish", function: "writeBackWorker", batchSize: 1 },
    { queue: "adopt", function: "writeBackWorker", batchSize: 1 },
  ],
  schedules: [{ name: "sync-tick", rateMinutes: 1, function: "scheduleTick" }],
});
