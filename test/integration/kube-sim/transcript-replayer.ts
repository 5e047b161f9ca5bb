// Sends the requests of a recorded transcript to a server over real HTTP and compares each answer
// with the recorded one (see transcript-matcher.ts for what counts as equal).

import { Agent, request } from "node:http";
import type { IncomingMessage } from "node:http";
import { Bindings, canonicalStatus, compare, substitute } from "./transcript-matcher.js";

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly bodyText?: string;
}

export interface RecordedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: unknown;
  readonly bodyText?: string;
  readonly streamClosedByServer?: boolean;
  readonly events?: readonly unknown[];
}

export interface RecordedStep {
  readonly step: number | string;
  readonly name: string;
  readonly note?: string;
  readonly request: RecordedRequest;
  readonly response: RecordedResponse;
  readonly concurrentRequests?: readonly RecordedStep[];
}

/** The headers a client can use (README: what is left after dropping per-connection ones). */
const COMPARED_HEADERS = ["content-type", "cache-control", "x-content-type-options", "transfer-encoding"];
/** A watch that the client ends waits at most this long for the events it expects. */
const EVENT_WAIT_MS = 5_000;

interface LiveResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly text: string;
}

function headersOf(res: IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const warnings: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = (res.rawHeaders[i] as string).toLowerCase();
    const value = res.rawHeaders[i + 1] as string;
    if (name === "warning") warnings.push(value);
    else if (COMPARED_HEADERS.includes(name)) out[name] = value;
  }
  if (warnings.length > 0) out["warning"] = warnings;
  return out;
}

export class Replayer {
  readonly bindings: Bindings;
  private readonly agent = new Agent({ keepAlive: true });

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    timestamp: string,
  ) {
    this.bindings = new Bindings(timestamp);
  }

  close(): void {
    this.agent.destroy();
  }

  private options(recorded: RecordedRequest): { path: string; headers: Record<string, string>; body: string | undefined } {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(recorded.headers)) {
      if (name === "authorization") continue;
      headers[name] = value;
    }
    const auth = recorded.headers["authorization"];
    if (auth === undefined) headers["authorization"] = `Bearer ${this.token}`;
    else if (auth !== "(none sent)") headers["authorization"] = auth;
    const body =
      recorded.body !== undefined ? JSON.stringify(substitute(recorded.body, this.bindings)) : recorded.bodyText !== undefined ? substitute(recorded.bodyText, this.bindings) : undefined;
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    return { path: substitute(recorded.path, this.bindings), headers, body };
  }

  private open(recorded: RecordedRequest, onResponse: (res: IncomingMessage) => void): { abort: () => void; failed: Promise<never> } {
    const { path, headers, body } = this.options(recorded);
    const url = new URL(path, this.baseUrl);
    let fail: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      fail = reject;
    });
    failed.catch(() => undefined);
    const req = request(url, { method: recorded.method, headers, agent: this.agent }, onResponse);
    req.on("error", (error) => fail(error));
    req.end(body);
    return { abort: () => req.destroy(), failed };
  }

  async send(recorded: RecordedRequest): Promise<LiveResponse> {
    return new Promise((resolve, reject) => {
      const { failed } = this.open(recorded, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: headersOf(res), text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      failed.catch(reject);
    });
  }

  private compareHead(expected: RecordedResponse, live: { status: number; headers: Record<string, string | string[]> }): string[] {
    const problems: string[] = [];
    if (live.status !== expected.status) problems.push(`status: expected ${expected.status}, got ${live.status}`);
    const recordedHeaders: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(expected.headers)) recordedHeaders[name] = value;
    problems.push(...compare(recordedHeaders, live.headers, this.bindings).map((p) => p.replace(/^\$/, "headers")));
    return problems;
  }

  private compareBody(expected: RecordedResponse, text: string): string[] {
    if (expected.bodyText !== undefined) return text === expected.bodyText ? [] : [`body: expected text ${JSON.stringify(expected.bodyText)}, got ${JSON.stringify(text)}`];
    let actual: unknown;
    try {
      actual = JSON.parse(text);
    } catch {
      return [`body: not JSON: ${JSON.stringify(text.slice(0, 300))}`];
    }
    return compare(canonicalStatus(expected.body), canonicalStatus(actual), this.bindings).map((p) => p.replace(/^\$/, "body"));
  }

  /** Replays one step (and, for a watch, the requests sent while it was open); returns the differences. */
  async replay(step: RecordedStep): Promise<string[]> {
    if (step.response.events !== undefined) return this.replayWatch(step);
    const live = await this.send(step.request);
    return [...this.compareHead(step.response, live), ...this.compareBody(step.response, live.text)];
  }

  private async replayWatch(step: RecordedStep): Promise<string[]> {
    const expected = step.response;
    const expectedEvents = expected.events ?? [];
    const events: unknown[] = [];
    let buffered = "";
    let ended = false;
    let wake: () => void = () => undefined;
    const changed = (): Promise<void> => new Promise((resolve) => (wake = resolve));
    const head = new Promise<{ status: number; headers: Record<string, string | string[]> }>((resolve) => {
      const stream = this.open(step.request, (res) => {
        resolve({ status: res.statusCode ?? 0, headers: headersOf(res) });
        res.on("data", (chunk: Buffer) => {
          buffered += chunk.toString("utf8");
          let newline = buffered.indexOf("\n");
          while (newline >= 0) {
            events.push(JSON.parse(buffered.slice(0, newline)));
            buffered = buffered.slice(newline + 1);
            newline = buffered.indexOf("\n");
          }
          wake();
        });
        res.on("end", () => {
          ended = true;
          wake();
        });
        res.on("error", () => undefined);
      });
      this.abortWatch = stream.abort;
    });
    const live = await head;
    const problems = this.compareHead(expected, live);
    for (const concurrent of step.concurrentRequests ?? []) {
      problems.push(...(await this.replay(concurrent)).map((p) => `[${concurrent.step} ${concurrent.name}] ${p}`));
    }
    const deadline = Date.now() + EVENT_WAIT_MS + (expected.streamClosedByServer ? 60_000 : 0);
    while (Date.now() < deadline && !ended && (expected.streamClosedByServer || events.length < expectedEvents.length)) {
      const timer = new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now())).unref());
      await Promise.race([changed(), timer]);
    }
    if (!expected.streamClosedByServer) {
      // One more round trip: any event a write caused was sent before that write was answered.
      await this.send({ method: "GET", path: "/version", headers: {} });
    }
    if (expected.streamClosedByServer !== ended) problems.push(`stream: expected closedByServer=${String(expected.streamClosedByServer)}, got ${String(ended)}`);
    this.abortWatch();
    problems.push(...compare(expectedEvents, events, this.bindings).map((p) => p.replace(/^\$/, "events")));
    return problems;
  }

  private abortWatch: () => void = () => undefined;
}
