import { describe, expect, it } from "vitest";
import { succeededMessageIds } from "../../../infra/local/event-sources.js";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring } from "../../../infra/wiring.js";
import { OPERATIONS } from "../../../lib/api/openapi.js";
import { existsSync } from "node:fs";
import type { SQSRecord } from "aws-lambda";

describe("wiring", () => {
  it("points every function at an existing module", () => {
    for (const [name, fn] of Object.entries(wiring.functions)) expect(existsSync(fn.entry), `${name}: ${fn.entry}`).toBe(true);
  });

  it("describes exactly the wired routes in the OpenAPI document", () => {
    const wired = wiring.routes.map((r) => `${r.method} ${r.path}`).sort();
    const documented = OPERATIONS.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(documented).toEqual(wired);
    for (const r of wiring.routes) {
      const op = OPERATIONS.find((o) => o.method.toUpperCase() === r.method && o.path === r.path)!;
      expect(op.auth, `${r.method} ${r.path}`).toBe(r.auth === "iam");
    }
  });

  it("bounds every route's body: 64 KiB for fabric requests, 256 KiB for a draft or an adopt selection, a file's 1 MiB for validate, GitHub's 25 MiB for the webhook, nothing for reads", () => {
    const special: Record<string, number> = {
      "POST /webhooks/github": 25 * 1024 * 1024,
      "PUT /fabrics/{id}/resources/{kind}/{name}": 256 * 1024,
      "POST /fabrics/{id}/adopt": 256 * 1024,
      "POST /fabrics/{id}/validate": 1024 * 1024,
    };
    for (const r of wiring.routes) {
      const expected = special[`${r.method} ${r.path}`] ?? (r.method === "GET" || r.method === "DELETE" ? 0 : 64 * 1024);
      expect(r.maxBodyBytes, `${r.method} ${r.path}`).toBe(expected);
    }
    const fn = { entry: "x.ts", timeoutSeconds: 1, memoryMb: 128, access: {} };
    const route = (maxBodyBytes: number) => defineWiring({ functions: { a: fn }, routes: [{ method: "POST", path: "/x", function: "a", auth: "none", maxBodyBytes }], queues: [], consumers: [], schedules: [] });
    expect(() => route(-1)).toThrow(/maxBodyBytes must be 0..25 MiB/);
    expect(() => route(26 * 1024 * 1024)).toThrow(/maxBodyBytes/);
  });

  it("rejects unknown functions, unknown queues, duplicate routes and short visibility timeouts", () => {
    const fn = { entry: "x.ts", timeoutSeconds: 60, memoryMb: 128, access: {} };
    expect(() =>
      defineWiring({
        functions: { a: fn },
        routes: [
          { method: "GET", path: "/x", function: "b", auth: "none", maxBodyBytes: 0 },
          { method: "GET", path: "/y", function: "a", auth: "none", maxBodyBytes: 0 },
          { method: "GET", path: "/y", function: "a", auth: "none", maxBodyBytes: 0 },
        ],
        queues: [{ name: "q", fifo: true, visibilityTimeoutSeconds: 300, maxReceiveCount: 3, urlVariable: "Q" }],
        consumers: [
          { queue: "q", function: "a", batchSize: 10 },
          { queue: "nope", function: "a", batchSize: 11 },
        ],
        schedules: [{ name: "s", rateMinutes: 1, function: "zzz" }],
      }),
    ).toThrow(
      /unknown function "b"[\s\S]*GET \/y is declared twice[\s\S]*visibility timeout 300s < 6 × a timeout 60s[\s\S]*unknown queue "nope"[\s\S]*batch size[\s\S]*unknown function "zzz"/,
    );
  });
});

describe("batch item failures (Lambda's rules)", () => {
  const records = ["m1", "m2", "m3"].map((messageId) => ({ messageId }) as SQSRecord);
  it("deletes all on success without a response, none on a throw", () => {
    expect(succeededMessageIds(records, { result: undefined })).toEqual(["m1", "m2", "m3"]);
    expect(succeededMessageIds(records, { error: new Error("x") })).toEqual([]);
  });
  it("keeps the reported failures", () => {
    expect(succeededMessageIds(records, { result: { batchItemFailures: [{ itemIdentifier: "m2" }] } })).toEqual(["m1", "m3"]);
  });
  it("fails the whole batch when the response names an id it was not sent", () => {
    expect(succeededMessageIds(records, { result: { batchItemFailures: [{ itemIdentifier: "zz" }] } })).toEqual([]);
  });
});
