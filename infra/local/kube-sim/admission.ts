// Validating admission: checks the simulator runs where a real cluster calls the Fabric's validating
// webhooks, answered the way kube-apiserver relays a webhook's denial.
//
// kube-apiserver keeps the webhook's status code (raising anything below 400 to 400) and prefixes
// its message with `admission webhook "<name>" denied the request: `. The Hedgehog webhooks are
// controller-runtime validators, whose denials carry 403 Forbidden — so that is the default here,
// with the webhook named like theirs (`v<kind>.kb.io`, e.g. vvpc.kb.io).

import type { ResourceType } from "./catalog.js";
import { KubeResponseError } from "./errors.js";
import { clone } from "./json-values.js";
import type { JsonObject } from "./json-values.js";
import { internalError, statusBody } from "./status.js";

export type AdmissionOperation = "CREATE" | "UPDATE" | "DELETE";

export type AdmissionDecision =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      readonly message: string;
      /** HTTP status of the denial (default 403, as controller-runtime webhooks send). */
      readonly code?: number;
      /** Status reason (default "Forbidden" for 403, none otherwise). */
      readonly reason?: string;
      /** Webhook name in the message (default `v<lowercase kind>.kb.io`). */
      readonly webhook?: string;
    };

/**
 * A validating admission check. `obj` is the object as it would be stored (null for DELETE),
 * `oldObj` the stored one (null for CREATE). Both are copies.
 */
export type AdmissionCheck = (
  operation: AdmissionOperation,
  obj: JsonObject | null,
  oldObj: JsonObject | null,
) => AdmissionDecision | Promise<AdmissionDecision>;

export function defaultWebhookName(type: ResourceType): string {
  return `v${type.kind.toLowerCase()}.kb.io`;
}

export async function admit(
  check: AdmissionCheck | undefined,
  type: ResourceType,
  operation: AdmissionOperation,
  obj: JsonObject | null,
  oldObj: JsonObject | null,
): Promise<void> {
  if (check === undefined) return;
  let decision: AdmissionDecision;
  try {
    decision = await check(operation, obj === null ? null : clone(obj), oldObj === null ? null : clone(oldObj));
  } catch (error) {
    throw internalError(`failed calling webhook ${JSON.stringify(defaultWebhookName(type))}: ${(error as Error).message}`);
  }
  if (decision.allowed) return;
  const webhook = decision.webhook ?? defaultWebhookName(type);
  const code = Math.max(decision.code ?? 403, 400);
  const reason = decision.reason ?? (code === 403 ? "Forbidden" : undefined);
  const deniedBy = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const message = decision.message ? `${deniedBy}: ${decision.message}` : `${deniedBy} without explanation`;
  throw new KubeResponseError(code, statusBody({ code, message, ...(reason ? { reason } : {}) }));
}
