// The shape of infra/wiring.ts: what both the local stack and the CDK stack are built from.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * iam: the API's caller authentication — SigV4 in the cloud (or a JWT when the stack's `auth` is "jwt"),
 * the bearer token locally. none: public. signature: the handler verifies the request itself.
 */
export type RouteAuth = "iam" | "none" | "signature";

/** What a function may touch; the CDK stack grants exactly this (least privilege). */
export interface FunctionAccess {
  readonly table?: "read" | "write";
  /** Queues (by name) it sends to. */
  readonly sendTo?: readonly string[];
  /** Reads Git credentials and kubeconfigs from Secrets Manager (references under the stack's prefix). */
  readonly secrets?: boolean;
  /** Reads the webhook secret. */
  readonly webhookSecret?: boolean;
  /** Serves the operator console: is told how the console signs in (HH_GITOPS_CONSOLE_AUTH, OIDC endpoints). */
  readonly console?: boolean;
}

export interface FunctionSpec {
  /** Module path relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly access: FunctionAccess;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway path template, e.g. /fabrics/{id}. */
  readonly path: string;
  readonly function: string;
  readonly auth: RouteAuth;
  /**
   * Largest request body accepted, in bytes: a bigger one is answered 413 before the handler runs, and
   * locally before it is read. 0 for routes that take no body.
   */
  readonly maxBodyBytes: number;
}

/**
 * The catch-all (API Gateway's `$default` route): every request no route takes. Its function answers
 * from the route table — 405 with Allow when the path exists with other methods, 404 otherwise —
 * so that no client ever gets API Gateway's own `{"message":"Not Found"}`. Public (auth "none"): it
 * reveals no more than /openapi.json.
 */
export interface DefaultRouteSpec {
  readonly function: string;
}

/** The route key API Gateway gives the catch-all. */
export const DEFAULT_ROUTE_KEY = "$default";

export interface QueueSpec {
  readonly name: string;
  /** Always FIFO: one stage in flight per fabric (MessageGroupId = fabricId). */
  readonly fifo: true;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** Environment variable through which functions learn the queue URL. */
  readonly urlVariable: string;
}

export interface ConsumerSpec {
  readonly queue: string;
  readonly function: string;
  readonly batchSize: number;
}

export interface ScheduleSpec {
  readonly name: string;
  readonly rateMinutes: number;
  readonly function: string;
}

export interface Wiring {
  readonly functions: Readonly<Record<string, FunctionSpec>>;
  readonly routes: readonly RouteSpec[];
  readonly defaultRoute?: DefaultRouteSpec;
  readonly queues: readonly QueueSpec[];
  readonly consumers: readonly ConsumerSpec[];
  readonly schedules: readonly ScheduleSpec[];
}

/** Checks the cross references once, so that a typo fails at start (and in a test), not at the first request. */
export function defineWiring(wiring: Wiring): Wiring {
  const problems: string[] = [];
  const fn = (name: string, where: string) => {
    if (!(name in wiring.functions)) problems.push(`${where}: unknown function "${name}"`);
  };
  const seenRoutes = new Set<string>();
  for (const r of wiring.routes) {
    fn(r.function, `route ${r.method} ${r.path}`);
    const key = `${r.method} ${r.path}`;
    if (seenRoutes.has(key)) problems.push(`route ${key} is declared twice`);
    // API Gateway HTTP APIs take at most 10 MB; the webhook's 25 MiB is GitHub's own cap, enforced locally.
    if (!Number.isInteger(r.maxBodyBytes) || r.maxBodyBytes < 0 || r.maxBodyBytes > 25 * 1024 * 1024) problems.push(`route ${key}: maxBodyBytes must be 0..25 MiB`);
    seenRoutes.add(key);
  }
  if (wiring.defaultRoute) fn(wiring.defaultRoute.function, "the default route");
  const queueNames = new Set(wiring.queues.map((q) => q.name));
  for (const q of wiring.queues) {
    const consumers = wiring.consumers.filter((c) => c.queue === q.name);
    for (const c of consumers) {
      const timeout = wiring.functions[c.function]?.timeoutSeconds ?? 0;
      // AWS: the visibility timeout should be at least six times the consumer's timeout.
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html
      if (q.visibilityTimeoutSeconds < 6 * timeout) {
        problems.push(`queue ${q.name}: visibility timeout ${q.visibilityTimeoutSeconds}s < 6 × ${c.function} timeout ${timeout}s`);
      }
    }
  }
  for (const [name, f] of Object.entries(wiring.functions)) {
    for (const q of f.access.sendTo ?? []) if (!queueNames.has(q)) problems.push(`function ${name}: sends to unknown queue "${q}"`);
  }
  for (const c of wiring.consumers) {
    fn(c.function, `consumer of ${c.queue}`);
    if (!queueNames.has(c.queue)) problems.push(`consumer ${c.function}: unknown queue "${c.queue}"`);
    if (c.batchSize < 1 || c.batchSize > 10) problems.push(`consumer ${c.function}: FIFO batch size must be 1..10`);
  }
  for (const s of wiring.schedules) fn(s.function, `schedule ${s.name}`);
  if (problems.length > 0) throw new Error(`invalid wiring:\n- ${problems.join("\n- ")}`);
  return wiring;
}
