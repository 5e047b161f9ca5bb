// Starts the real local stack in-process for a test: in-memory dynalite, local-aws-sqs, random ports.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startLocalStack, type LocalStack, type LocalStackOptions } from "../../infra/local/stack.js";
import type { Wiring } from "../../infra/wiring-types.js";
import { wiring as realWiring } from "../../infra/wiring.js";
import { ApiContract } from "./openapi-contract.js";
import { TEST_REPO_ROOT } from "./trust.js";

/**
 * The real wiring with a 2 s visibility timeout. Not the default any more: a failed stage now comes back
 * after the short delay it asks for (ChangeMessageVisibility), and a visibility timeout shorter than a
 * stage would hand the same message to a second worker while the first still runs.
 */
export const fastRetryWiring: Wiring = { ...realWiring, queues: realWiring.queues.map((q) => ({ ...q, visibilityTimeoutSeconds: 2 })) };

export interface TestStack extends LocalStack {
  /** The stack's data dir (a temporary folder): file: secrets of fabrics go in its secrets/ folder. */
  readonly dataDir: string;
  /**
   * fetch against the API with the bearer token (unless `auth: false`). Every answer is checked against
   * the stack's /openapi.json (status declared, content type, body schema): a violation rejects, naming
   * the route, the status and the JSON pointer. `contract: false` skips that (a test of raw protocol edges).
   */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; auth?: boolean; contract?: boolean }): Promise<ApiResult>;
  readonly errors: unknown[];
}

export interface ApiResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

export async function startTestStack(options: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  process.env.HH_GITOPS_LOG_LEVEL ??= "SILENT";
  process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
  // The simulated GitHub needs no pause between writes.
  process.env.HH_GITOPS_GITHUB_SPACE_WRITES ??= "false";
  // A failed stage comes back after 1 s (ChangeMessageVisibility), not 10 s.
  process.env.HH_GITOPS_RETRY_DELAY_SECONDS ??= "1";
  const errors: unknown[] = [];
  // A data dir of its own; repositories stay where test/support makes them (under os.tmpdir()).
  const dataDir = mkdtempSync(join(TEST_REPO_ROOT, "hh-data-"));
  const stack = await startLocalStack({
    dynamoDbPath: null,
    port: 0,
    token: randomBytes(18).toString("base64url"),
    queuePrefix: `t${randomBytes(4).toString("hex")}`,
    eventSources: { waitSeconds: 0 },
    wiring: realWiring,
    onError: (e) => errors.push(e),
    dataDir,
    repoRoot: TEST_REPO_ROOT,
    ...options,
  });
  const close = stack.close;
  let contract: Promise<ApiContract> | undefined;
  const contractOf = () => (contract ??= fetch(`${stack.url}/openapi.json`).then(async (res) => new ApiContract((await res.json()) as ConstructorParameters<typeof ApiContract>[0])));
  const api: TestStack["api"] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.auth !== false) headers.authorization ??= `Bearer ${stack.token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(`${stack.url}${path}`, { method: init.method ?? "GET", headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    if (init.contract !== false) (await contractOf()).check(init.method ?? "GET", path, res.status, res.headers, parsed);
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return Object.assign(stack, {
    api,
    errors,
    dataDir,
    close: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Every item of a paginated list (resources, runs): its pages of 500 in turn, following `next`. */
export async function allPages(api: (path: string) => Promise<ApiResult>, path: string): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  const items: unknown[] = [];
  const first = `${path}${path.includes("?") ? "&" : "?"}limit=500`;
  let cursor: string | undefined;
  do {
    const res = await api(cursor ? `${first}&cursor=${cursor}` : first);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    items.push(...(res.body.items as unknown[]));
    cursor = res.body.next as string | undefined;
  } while (cursor);
  return items;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the run has finished (succeeded or failed) and returns it. */
export async function waitForRun(stack: TestStack, fabricId: string, runId: string, timeoutMs = 60_000): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  return eventually(
    async () => {
      const res = await stack.api(`/fabrics/${fabricId}/runs/${runId}`);
      return res.status === 200 && ["succeeded", "failed", "cancelled"].includes(res.body.status) ? res.body : undefined;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

/** Waits until every run of the fabric has finished (reruns included). */
export async function waitForIdle(stack: TestStack, fabricId: string, timeoutMs = 60_000): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON
  return eventually(
    async () => {
      const res = await stack.api(`/fabrics/${fabricId}/runs?limit=200`);
      const runs = res.body.items as { status: string }[];
      if (runs.length === 0 || runs.some((r) => r.status === "queued" || r.status === "running" || r.status === "waiting")) return undefined;
      // A rerun is launched right after its predecessor finishes: look twice.
      await new Promise((r) => setTimeout(r, 150));
      const again = await stack.api(`/fabrics/${fabricId}/runs?limit=200`);
      return again.body.items.length === runs.length && again.body.items.every((r: { status: string }) => r.status === "succeeded" || r.status === "failed" || r.status === "cancelled")
        ? again.body.items
        : undefined;
    },
    timeoutMs,
    `fabric ${fabricId} to be idle`,
  );
}
