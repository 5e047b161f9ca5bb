// Powertools logger: JSON lines with correlation keys (fabricId, runId, stage). Secrets never go into
// log attributes; errors are logged by message and class, not by request body.
//
// Each invocation logs through a child logger of its own, carrying its function's name and request id
// (withInvocationLogger). On Lambda one process serves one function, but the local stack runs every
// handler in one process, concurrently: a single shared logger there took the Lambda context and the
// keys of whichever invocation came last, and an ingest stage's lines were logged as resourcesApi's.
// `logger` resolves to the invocation's child through AsyncLocalStorage, so lib/ keeps importing one
// logger and never sees another invocation's keys.
import { AsyncLocalStorage } from "node:async_hooks";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";

const root = new Logger({
  serviceName: "hedgehog-gitops",
  logLevel: (process.env.HH_GITOPS_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? "INFO") as "INFO",
});

const invocation = new AsyncLocalStorage<Logger>();

/** The logger of the invocation in progress; outside any invocation (the local stack's own lines), the process's. */
export const logger: Logger = new Proxy(root, {
  get(target, property) {
    const current = invocation.getStore() ?? target;
    const value: unknown = Reflect.get(current, property, current);
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(current) : value;
  },
});

/** Runs a Lambda handler with a logger of its own: its function's name, request id and cold start on every line. */
export function withInvocationLogger<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    const child = root.createChild();
    child.addContext(context);
    return invocation.run(child, () => handler(event, context));
  };
}
