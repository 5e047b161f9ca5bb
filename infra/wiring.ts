// THE list of routes, queues, consumers and schedules. The local stack (infra/local) and the CDK stack
// (infra/cloud) are both built from it: add a route or queue here and it exists in both.
import { defineWiring } from "./wiring-types.js";

export const wiring = defineWiring({
  functions: {
    fabricsApi: { entry: "functions/http/fabrics.ts", timeoutSeconds: 10, memoryMb: 512 },
    metaApi: { entry: "functions/http/meta.ts", timeoutSeconds: 5, memoryMb: 256 },
  },
  routes: [
    { method: "GET", path: "/health", function: "metaApi", auth: "none" },
    { method: "GET", path: "/openapi.json", function: "metaApi", auth: "none" },
    { method: "POST", path: "/fabrics", function: "fabricsApi", auth: "iam" },
    { method: "GET", path: "/fabrics", function: "fabricsApi", auth: "iam" },
    { method: "GET", path: "/fabrics/{id}", function: "fabricsApi", auth: "iam" },
    { method: "PATCH", path: "/fabrics/{id}", function: "fabricsApi", auth: "iam" },
    { method: "DELETE", path: "/fabrics/{id}", function: "fabricsApi", auth: "iam" },
  ],
  queues: [
    { name: "init", fifo: true, visibilityTimeoutSeconds: 360, maxReceiveCount: 5, urlVariable: "HH_GITOPS_INIT_QUEUE_URL" },
    { name: "ingest", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 5, urlVariable: "HH_GITOPS_INGEST_QUEUE_URL" },
    { name: "reconcile", fifo: true, visibilityTimeoutSeconds: 900, maxReceiveCount: 5, urlVariable: "HH_GITOPS_RECONCILE_QUEUE_URL" },
  ],
  consumers: [],
  schedules: [],
});
