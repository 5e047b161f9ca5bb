// npm run bench -- fleet: 1,000 fabrics due at once, one schedule tick (functions/schedule/tick.ts, the
// handler the stack deploys) on the local stack's embedded DynamoDB and SQS. Measured: the tick's
// duration (every run started and its first message enqueued), DynamoDB and SQS requests per fabric
// (counted by a proxy in front of each), and that every fabric got exactly one run and one message.
// Also: what a push webhook's fabric lookup costs with 1,000 fabrics registered (the byRepository index).
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Context } from "aws-lambda";
import { defineWiring } from "../../infra/wiring-types.js";
import { wiring } from "../../infra/wiring.js";
import { FabricService } from "../../lib/api/fabrics.js";
import { trustPolicy } from "../../lib/config/index.js";
import { pushedRepositoryKeys } from "../../lib/fabrics/repository-key.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { MAX_FABRICS_PER_TICK } from "../../lib/triggers/index.js";
import { startTestStack } from "../support/local-stack.js";

const FABRICS = 1000;
const T0 = new Date("2031-06-01T00:00:00.000Z");
/** Every fabric (interval 1 min, ±10 %) is due by then. */
const TICK_AT = new Date(T0.getTime() + 2 * 60_000);

/** A proxy that counts requests by their X-Amz-Target (the AWS JSON protocol's operation). */
async function countingProxy(target: string): Promise<{ url: string; counts: Map<string, number>; reset(): void; close(): Promise<void> }> {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers["x-amz-target"] ?? "unknown").split(".").pop()!;
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 500, answer.headers);
      answer.pipe(res);
    });
    forward.on("error", (error) => res.destroy(error));
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    reset: () => counts.clear(),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

export default async function fleetBench() {
  // The queues only: no worker consumes, so the tick's messages stay countable.
  const stack = await startTestStack({ wiring: defineWiring({ functions: {}, routes: [], queues: wiring.queues, consumers: [], schedules: [] }) });
  const dynamo = await countingProxy(stack.dynamodbEndpoint);
  const sqs = await countingProxy(stack.sqsEndpoint);
  try {
    const rt = runtime();
    const service = new FabricService(rt.fabrics, trustPolicy(rt.settings));
    const registerStarted = performance.now();
    for (let i = 0; i < FABRICS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, FABRICS - i) }, (_, j) =>
          service.register(
            { name: `fleet-${String(i + j).padStart(4, "0")}`, git: { provider: "github", owner: "acme", repo: `fabric-${(i + j) % 100}`, credentials: "env:HH_GITOPS_SECRET_FLEET" }, sync: { intervalMinutes: 1 } },
            T0,
          ),
        ),
      );
    }
    const registerMs = Math.round(performance.now() - registerStarted);

    // From here on every request of the handlers goes through the counting proxies.
    process.env.HH_GITOPS_DYNAMODB_ENDPOINT = dynamo.url;
    process.env.HH_GITOPS_SQS_ENDPOINT = sqs.url;
    const { handler } = await import("../../functions/schedule/tick.js");
    const context = { getRemainingTimeInMillis: () => 60_000, functionName: "scheduleTick", awsRequestId: "bench" } as unknown as Context;
    dynamo.reset();
    sqs.reset();
    const tickStarted = performance.now();
    const report = (await handler({ "detail-type": "Scheduled Event", time: TICK_AT.toISOString() } as never, context)) as unknown as { fabrics: { outcome: string }[] };
    const tickMs = Math.round(performance.now() - tickStarted);
    const dynamoRequests = Object.fromEntries(dynamo.counts);
    const sqsRequests = Object.fromEntries(sqs.counts);
    const dynamoTotal = total(dynamo.counts);
    const sqsTotal = total(sqs.counts);
    const outcomes: Record<string, number> = {};
    for (const f of report.fabrics) outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1;
    const queued = await stack.sqs.send(new GetQueueAttributesCommand({ QueueUrl: stack.queues.init!.url, AttributeNames: ["ApproximateNumberOfMessages"] }));

    // A push's lookup of its repository's fabrics: 10 of the 1,000 track acme/fabric-7.
    dynamo.reset();
    const lookupStarted = performance.now();
    const found = await runtime().fabrics.forRepository(pushedRepositoryKeys({ name: "fabric-7", full_name: "acme/fabric-7", owner: { login: "acme" }, clone_url: "https://github.com/acme/fabric-7.git" }));
    const lookupMs = Math.round((performance.now() - lookupStarted) * 10) / 10;

    return {
      fabrics: FABRICS,
      maxFabricsPerTick: MAX_FABRICS_PER_TICK,
      registerMs,
      tick: {
        durationMs: tickMs,
        goal: "one tick handles all 1,000 (the tick function's timeout is 60 s)",
        outcomes,
        messagesEnqueued: Number(queued.Attributes?.ApproximateNumberOfMessages ?? 0),
        dynamoDbRequests: {
          total: dynamoTotal,
          perFabric: Math.round((dynamoTotal / FABRICS) * 100) / 100,
          byOperation: dynamoRequests,
          note: "per fabric: the claiming reschedule (returns the fabric and its lock), the check for lost plans, the lock claim, the run record",
        },
        sqsRequests: { total: sqsTotal, perFabric: Math.round((sqsTotal / FABRICS) * 100) / 100, byOperation: sqsRequests },
      },
      pushLookup: { fabricsFound: found.length, dynamoDbRequests: total(dynamo.counts), ms: lookupMs, note: "one Query per spelling of the repository on the byRepository index; no listing" },
    };
  } finally {
    delete process.env.HH_GITOPS_DYNAMODB_ENDPOINT;
    delete process.env.HH_GITOPS_SQS_ENDPOINT;
    await stack.close();
    await dynamo.close();
    await sqs.close();
  }
}
