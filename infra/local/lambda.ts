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

export async function loadFunction(name: string, spec: FunctionSpec, root = ROOT): Promise<LocalFunction> {
  const mod = (await import(pathToFileURL(resolve(root, spec.entry)).href)) as { handler?: LambdaHandler };
  const handler = mod.handler;
  if (typeof handler !== "function") throw new Error(`${spec.entry} does not export a handler`);
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
