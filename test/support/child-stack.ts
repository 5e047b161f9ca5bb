// Runs the local stack in a child process (stack-process.ts) that a test can kill -9 and start again.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../../lib/api/openapi.js";
import type { ApiResult } from "./local-stack.js";
import { ApiContract, type Doc } from "./openapi-contract.js";

const ENTRY = fileURLToPath(new URL("./stack-process.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ChildStack {
  readonly url: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  readonly pid: number;
  api(path: string, init?: { method?: string; body?: unknown }): Promise<ApiResult>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

export interface ChildStackOptions {
  readonly dataDir: string;
  readonly token?: string;
  /** Extra environment for the stack's handlers (lease seconds, the simulated cluster's kubeconfig, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

export async function startChildStack(options: ChildStackOptions): Promise<ChildStack> {
  const token = options.token ?? randomBytes(18).toString("base64url");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", ENTRY], {
    cwd: ROOT,
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      HH_GITOPS_GITHUB_SPACE_WRITES: "false",
      HH_TEST_STACK_DATA_DIR: options.dataDir,
      HH_TEST_STACK_TOKEN: token,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = await new Promise<{ url: string; dynamodbEndpoint: string; tableName: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve(JSON.parse(line)));
    void exited.then(() => reject(new Error(`the stack process exited before it was ready:\n${stderr}`)));
  });
  const contract = new ApiContract(openApiDocument() as unknown as Doc);
  // A new connection per request: a kept-alive one may point at a process killed meanwhile, or at an
  // earlier stack whose port this one reuses.
  const api: ChildStack["api"] = (path, init = {}) =>
    new Promise((resolve, reject) => {
      const body = init.body === undefined ? undefined : JSON.stringify(init.body);
      const req = request(
        `${ready.url}${path}`,
        { method: init.method ?? "GET", agent: false, headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON
            }
            const headers = new Headers();
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
            const answer = { status: res.statusCode ?? 0, headers, body: parsed };
            try {
              // The child serves the document of this same code: every answer is checked against it.
              contract.check(init.method ?? "GET", path, answer.status, headers, parsed);
              resolve(answer);
            } catch (violation) {
              reject(violation as Error);
            }
          });
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  return {
    ...ready,
    pid: child.pid!,
    api,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
