// Handlers sharing one process (the local stack) each log with their own function's name and request
// id, even when their invocations interleave: the keys of one never leak into the other's lines.
import type { Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logger, withInvocationLogger } from "../../../lib/observability/logger.js";

const context = (functionName: string, awsRequestId: string) =>
  ({ functionName, awsRequestId, functionVersion: "$LATEST", memoryLimitInMB: "128", invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}` }) as unknown as Context;

describe("one logger per invocation", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel("SILENT");
  });

  it("interleaved invocations of two functions log under their own names", async () => {
    const lines: Record<string, unknown>[] = [];
    const capture = (chunk: unknown) => {
      for (const line of String(chunk).split("\n").filter(Boolean)) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line
        }
      }
      return true;
    };
    // Tests run with logging silenced; outside an invocation `logger` is the process's logger, whose level children take.
    logger.setLogLevel("INFO");
    vi.spyOn(process.stdout, "write").mockImplementation(capture as never);
    vi.spyOn(console, "info").mockImplementation((...args: unknown[]) => void capture(args.join(" ")));
    const tick = () => new Promise((r) => setTimeout(r, 5));
    const handler = (label: string) =>
      withInvocationLogger(async () => {
        await tick();
        logger.info(`${label} first`);
        await tick();
        logger.info(`${label} second`);
      });
    await Promise.all([handler("stage")({}, context("stageWorker", "req-1")), handler("api")({}, context("resourcesApi", "req-2"))]);
    const ours = lines.filter((l) => typeof l.message === "string" && /^(stage|api) /.test(l.message));
    expect(ours).toHaveLength(4);
    for (const l of ours) {
      const stage = String(l.message).startsWith("stage");
      expect(l.function_name).toBe(stage ? "stageWorker" : "resourcesApi");
      expect(l.function_request_id).toBe(stage ? "req-1" : "req-2");
    }
  });
});
