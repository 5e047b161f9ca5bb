// The whole system in one process: embedded DynamoDB and SQS behind the real AWS SDK clients, the HTTP
// API, the SQS event sources and the schedules — all built from a wiring (infra/wiring.ts by default).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Wiring } from "../wiring-types.js";
import { wiring as defaultWiring } from "../wiring.js";
import { startDynamoDb, type EmbeddedService } from "./dynamodb.js";
import { SqsEventSource } from "./event-sources.js";
import { startHttpGateway, type HttpServerLimits } from "./http-gateway.js";
import { loadFunction, type LocalFunction } from "./lambda.js";
import { ensureQueue, ensureTable, type ProvisionedQueue } from "./provision.js";
import { startSchedule } from "./scheduler.js";
import { startSqs } from "./sqs.js";
import { startSimulatedCluster } from "./simulated-cluster.js";
import type { KubeSim } from "./kube-sim/index.js";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface LocalStackOptions {
  readonly wiring?: Wiring;
  /** Where handler entries are resolved from (the repository root by default). */
  readonly root?: string;
  /**
   * Bundled mode: each function's deployed bundle (its index.mjs, by function name; built with
   * infra/cloud/build-bundles.ts) instead of its TypeScript entry. Every wiring function must have one.
   */
  readonly bundles?: Readonly<Record<string, string>>;
  /** DynamoDB persistence directory; null keeps the table in memory. */
  readonly dynamoDbPath: string | null;
  readonly port: number;
  readonly token: string;
  readonly tableName?: string;
  readonly queuePrefix?: string;
  readonly dynamodbPort?: number;
  readonly sqsPort?: number;
  readonly webhookSecret?: string;
  /** Extra environment for the handlers (they read their settings from process.env, as on Lambda). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The console's URL that checks, statuses and events link to (HH_GITOPS_CONSOLE_URL); default: this
   * stack's own API, which serves the console.
   */
  readonly consoleUrl?: string;
  readonly eventSources?: { readonly concurrency?: number; readonly waitSeconds?: number };
  /**
   * Where the simulated cluster's kubeconfig is written (a temporary folder by default) and the CRDs it
   * serves (the bundled v0.126.0 set by default); false: no simulated cluster.
   */
  readonly simulatedCluster?: { readonly kubeconfigPath?: string; readonly crds?: readonly object[] } | false;
  /**
   * The data dir (DESIGN §14): file: secrets of fabrics must lie in its secrets/ folder (created here),
   * local repositories under its repos/ folder unless `repoRoot` says otherwise.
   */
  readonly dataDir?: string;
  /** Where fabrics' local bare repositories must lie (HH_GITOPS_REPO_ROOT; default `<dataDir>/repos`). */
  readonly repoRoot?: string;
  /** Limits of the HTTP server (connections, timeouts); defaults in http-gateway.ts. */
  readonly httpLimits?: Partial<HttpServerLimits>;
  /** Notices of the HTTP server about refused and aborted connections (rate-limited; default console.warn). */
  readonly httpLog?: (line: string) => void;
  readonly onError?: (error: unknown) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly token: string;
  readonly dynamodbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly tableName: string;
  readonly queues: Readonly<Record<string, ProvisionedQueue>>;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  /** The simulated Kubernetes API server, when the stack runs one. */
  readonly kubeSim: KubeSim | null;
  readonly kubeconfigPath: string | null;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const wiring = options.wiring ?? defaultWiring;
  // Metrics (lib/observability/metrics.ts) are CloudWatch EMF lines on stdout: in the cloud only.
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const tableName = options.tableName ?? "hedgehog-gitops";
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c();
  };
  try {
    const ddbService: EmbeddedService = await startDynamoDb(options.dynamoDbPath, options.dynamodbPort ?? 0);
    closers.push(() => ddbService.close());
    const sqsService = await startSqs(options.sqsPort ?? 0);
    closers.push(() => sqsService.close());

    const dynamodb = new DynamoDBClient({ region: "us-east-1", endpoint: ddbService.endpoint, credentials: LOCAL_CREDENTIALS });
    const sqs = new SQSClient({ region: "us-east-1", endpoint: sqsService.endpoint, credentials: LOCAL_CREDENTIALS });
    closers.push(() => {
      dynamodb.destroy();
      sqs.destroy();
    });
    await ensureTable(dynamodb, tableName);
    const queues: Record<string, ProvisionedQueue> = {};
    for (const spec of wiring.queues) queues[spec.name] = await ensureQueue(sqs, options.queuePrefix ?? "hedgehog-gitops", spec);

    let kubeSim: KubeSim | null = null;
    let kubeconfigPath: string | null = null;
    if (options.simulatedCluster !== false) {
      let path = options.simulatedCluster?.kubeconfigPath;
      if (!path) {
        const dir = mkdtempSync(join(tmpdir(), "hh-kube-"));
        closers.push(() => rmSync(dir, { recursive: true, force: true }));
        path = join(dir, "kubeconfig");
      }
      const sim = await startSimulatedCluster(path, randomBytes(18).toString("base64url"), options.simulatedCluster?.crds);
      closers.push(() => sim.close());
      kubeSim = sim;
      kubeconfigPath = path;
    }

    const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
    const repoRoot = options.repoRoot ?? (dataDir === undefined ? undefined : join(dataDir, "repos"));
    if (dataDir !== undefined) mkdirSync(join(dataDir, "secrets"), { recursive: true, mode: 0o700 });
    if (repoRoot !== undefined) mkdirSync(repoRoot, { recursive: true });

    // Handlers read their settings from the environment, as they do on Lambda.
    Object.assign(process.env, {
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      HH_GITOPS_TABLE: tableName,
      // The console asks for the local bearer token.
      HH_GITOPS_CONSOLE_AUTH: "token",
      HH_GITOPS_DYNAMODB_ENDPOINT: ddbService.endpoint,
      HH_GITOPS_SQS_ENDPOINT: sqsService.endpoint,
      ...Object.fromEntries(wiring.queues.map((q) => [q.urlVariable, queues[q.name]!.url])),
      ...(options.webhookSecret ? { HH_GITOPS_WEBHOOK_SECRET: options.webhookSecret } : {}),
      ...(kubeconfigPath ? { HH_GITOPS_SIMULATED_KUBECONFIG: kubeconfigPath } : {}),
      // The local rules of DESIGN §14: env:/file: secrets, loopback hosts, bare repositories under the root.
      HH_GITOPS_DEPLOYMENT: "local",
      ...(dataDir !== undefined ? { HH_GITOPS_DATA_DIR: dataDir } : {}),
      ...(repoRoot !== undefined ? { HH_GITOPS_REPO_ROOT: resolve(repoRoot) } : {}),
      ...options.env,
    });

    const functions = new Map<string, LocalFunction>();
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const bundle = options.bundles?.[name];
      if (options.bundles && bundle === undefined) throw new Error(`bundled mode: no bundle for function ${name}`);
      functions.set(name, await loadFunction(name, spec, { ...(options.root ? { root: options.root } : {}), ...(bundle ? { module: bundle } : {}) }));
    }
    const fn = (name: string) => functions.get(name)!;

    const gateway = await startHttpGateway({
      routes: wiring.routes.map((spec) => ({ spec, fn: fn(spec.function) })),
      ...(wiring.defaultRoute ? { defaultRoute: fn(wiring.defaultRoute.function) } : {}),
      token: options.token,
      port: options.port,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.httpLimits ? { limits: options.httpLimits } : {}),
      ...(options.httpLog ? { log: options.httpLog } : {}),
    });
    closers.push(() => gateway.close());
    // Known only now that the gateway listens. Events go to <data dir>/events.jsonl (lib/events).
    process.env.HH_GITOPS_CONSOLE_URL = options.consoleUrl ?? options.env?.HH_GITOPS_CONSOLE_URL ?? gateway.url;

    for (const consumer of wiring.consumers) {
      const source = new SqsEventSource({
        client: sqs,
        queue: queues[consumer.queue]!,
        consumer,
        fn: fn(consumer.function),
        ...options.eventSources,
        ...(options.onError ? { onError: options.onError } : {}),
      });
      source.start();
      closers.push(() => source.stop());
    }
    for (const schedule of wiring.schedules) {
      const s = startSchedule(schedule, fn(schedule.function), options.onError);
      closers.push(() => s.stop());
    }

    return {
      url: gateway.url,
      token: options.token,
      dynamodbEndpoint: ddbService.endpoint,
      sqsEndpoint: sqsService.endpoint,
      tableName,
      queues,
      dynamodb,
      sqs,
      kubeSim,
      kubeconfigPath,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
