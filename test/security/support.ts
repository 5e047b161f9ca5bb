// Tools of the hostile caller (test/security): a capture server that records whatever reaches it,
// output capture for "the logs hold none of it", and a way to put into the table what the API would
// refuse, to show the workers refuse it again (defence in depth).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { defaultDirectory, type Fabric } from "../../lib/fabrics/schema.js";
import { runtime } from "../../lib/pipeline/runtime.js";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";

export interface CapturedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

export interface CaptureServer {
  /** http://<host>:<port> */
  readonly url: string;
  readonly requests: CapturedRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP server that records every request (what an attacker would receive). By default it answers
 * 401 asking for Basic credentials — the answer that makes a Git client send them.
 */
export async function startCaptureServer(
  host = "127.0.0.1",
  respond: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(401, { "www-authenticate": 'Basic realm="capture"' });
    res.end();
  },
): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A server on 127.0.0.1 that redirects every request to `target` (a host the allow-list refuses). */
export function startRedirector(target: string, status = 302): Promise<CaptureServer> {
  return startCaptureServer("127.0.0.1", (req, res) => {
    res.writeHead(status, { location: `${target}${req.url ?? "/"}` });
    res.end();
  });
}

/** Everything written to stdout and stderr meanwhile (the handlers' logs), kept off the terminal. */
export function captureOutput(): { text(): string; restore(): void } {
  const written: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const keep = (chunk: unknown): boolean => {
    written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return true;
  };
  process.stdout.write = keep as typeof process.stdout.write;
  process.stderr.write = keep as typeof process.stderr.write;
  return {
    text: () => written.join(""),
    restore: () => {
      process.stdout.write = out;
      process.stderr.write = err;
    },
  };
}

/**
 * Writes a fabric straight into the table, as an older version, a hand edit or a changed policy could
 * have left it: what the API refuses today. `settings` replaces the fields it names.
 */
export async function storeFabricDirectly(settings: Pick<Fabric, "id" | "git"> & Partial<Fabric>): Promise<Fabric> {
  const at = new Date().toISOString();
  const fabric: Fabric = {
    name: settings.id,
    cluster: null,
    sync: { mode: "observe", prune: false, intervalMinutes: 60, keepOriginals: false, suspended: true },
    hedgehog: {},
    directory: { status: "not_initialized", error: null, lastInitAt: null },
    uid: "test-uid",
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...settings,
    git: { ...settings.git, directory: settings.git.directory ?? defaultDirectory(settings.id) },
  };
  return runtime().fabrics.create(fabric);
}

/** Starts a sync through the API and waits for its end. */
export async function syncAndWait(stack: TestStack, fabricId: string): Promise<{ status: string; error: string | null; [key: string]: unknown }> {
  const res = await stack.api(`/fabrics/${fabricId}/sync`, { method: "POST" });
  if (res.status !== 202) throw new Error(`sync of ${fabricId} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return waitForRun(stack, fabricId, res.body.runId);
}

export { startTestStack, waitForRun, type TestStack };
