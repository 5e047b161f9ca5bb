// Loads the handler of a wiring function and invokes it the way the Lambda runtime would.
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import type { FunctionSpec } from "../wiring-types.js";

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

const ROOT = resolve(import.meta.dirname, "../..");

export interface LocalFunction {
  readonly name: string;
  invoke(event: unknown): Promise<unknown>;
}

/**
 * `module`: the function's code — by default its TypeScript entry under `root`; in bundled mode the
 * esbuild bundle the CDK stack deploys (infra/cloud/build-bundles.ts).
 */
export async function loadFunction(name: string, spec: FunctionSpec, source: { readonly root?: string; readonly module?: string } = {}): Promise<LocalFunction> {
  const path = source.module ?? resolve(source.root ?? ROOT, spec.entry);
  const mod = (await import(pathToFileURL(path).href)) as { handler?: LambdaHandler };
  const handler = mod.handler;
  if (typeof handler !== "function") throw new Error(`${path} does not export a handler`);
  return {
    name,
    invoke: (event) => {
      const deadline = Date.now() + spec.timeoutSeconds * 1000;
      const context: Context = {
        callbackWaitsForEmptyEventLoop: false,
        functionName: name,
        functionVersion: "$LATEST",
        invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
        memoryLimitInMB: String(spec.memoryMb),
        awsRequestId: randomUUID(),
        logGroupName: `/aws/lambda/${name}`,
        logStreamName: "local",
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      };
      return handler(event, context);
    },
  };
}
