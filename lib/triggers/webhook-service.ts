// The GitHub webhook use case: verify, deduplicate, decide, start. It does no I/O of its own: the
// secret, the delivery ledger, the fabric list and the run starter are passed in (functions/http/
// webhooks.ts wires the real ones), and so is the clock (the request time).
//
// Fast by construction (GitHub waits 10 s): one delivery write, one query per spelling of the pushed
// repository on the store's byRepository index (never a listing of every fabric), and per fabric to run
// one RunService.start (DynamoDB writes and one SQS message). Everything slow happens in the workers.
import type { Settings } from "../config/settings.js";
import { pushedRepositoryKeys } from "../fabrics/repository-key.js";
import type { RunStartRequest, RunStartResult } from "../pipeline/runs.js";
import type { SecretResolver } from "../secrets/index.js";
import type { DeliveryRecord, EarlierPush, PushKey, PushRecord } from "../store/deliveries.js";
import { FabricNotFoundError } from "../store/errors.js";
import { WebhookSecretNotConfiguredError, WebhookSecretUnavailableError } from "./errors.js";
import { deliveryDocument, deliveryHeaders, parsePushEvent, type PushEvent } from "./github-payload.js";
import { decidePush, type PushIgnoreReason, type PushTarget } from "./push.js";
import { verifyGitHubSignature } from "./signature.js";

/** GitHub lets an operator redeliver a delivery for a few days; a week of memory covers that. */
export const DELIVERY_RETENTION_MS = 7 * 24 * 60 * 60_000;

/**
 * The same push (repository, ref, after) within this window starts nothing, whatever its delivery id:
 * X-GitHub-Delivery is not covered by the signature, so a captured signed push could otherwise be
 * replayed under fresh ids. GitHub sends one delivery per push; ten minutes covers its retries.
 */
export const PUSH_REPLAY_WINDOW_MS = 10 * 60_000;

export interface WebhookDeps {
  /** The shared secret, or null when none is configured. */
  secret(): Promise<string | null>;
  readonly deliveries: {
    record(delivery: DeliveryRecord): Promise<boolean>;
    forget(deliveryId: string, receivedAt: Date): Promise<void>;
    /** null when the push is new; the earlier delivery of the same push otherwise. */
    recordPush(push: PushRecord): Promise<EarlierPush | null>;
    forgetPush(push: PushKey, deliveryId: string): Promise<void>;
  };
  /**
   * The fabrics indexed under one of the repository keys (lib/fabrics/repository-key.ts), on any branch:
   * those on another branch are reported as ignored.
   */
  readonly fabrics: { forRepository(repositoryKeys: readonly string[]): Promise<readonly PushTarget[]> };
  readonly runs: { start(request: RunStartRequest): Promise<RunStartResult> };
}

export interface WebhookRequest {
  /** Header names lowercased, as API Gateway (payload 2.0) delivers them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (base64 already undone). */
  readonly rawBody: string;
  readonly now: Date;
}

export type FabricOutcome =
  | { readonly fabricId: string; readonly outcome: "started" | "coalesced"; readonly runId: string; readonly detail: string }
  | { readonly fabricId: string; readonly outcome: "ignored"; readonly reason: PushIgnoreReason | "no-fabric"; readonly detail: string };

export interface PushReport {
  readonly event: "push";
  readonly delivery: string;
  readonly repository: string;
  readonly ref: string;
  readonly after: string;
  /** One entry per fabric that tracks the repository, in fabric id order. */
  readonly fabrics: readonly FabricOutcome[];
  /** Set when no fabric tracks the repository. */
  readonly reason?: "no-fabric";
  readonly detail?: string;
}

/** A push already received under another delivery id within PUSH_REPLAY_WINDOW_MS. */
export interface PushReplay {
  readonly event: "push";
  readonly delivery: string;
  readonly repository: string;
  readonly ref: string;
  readonly after: string;
  readonly replay: true;
  /** The delivery that carried the same push first. */
  readonly firstDelivery: string;
  readonly detail: string;
}

export type WebhookOutcome =
  | { readonly kind: "duplicate"; readonly body: { readonly duplicate: true; readonly delivery: string; readonly event: string } }
  | { readonly kind: "replay"; readonly body: PushReplay }
  | { readonly kind: "ping"; readonly body: { readonly event: "ping"; readonly delivery: string; readonly ok: true } }
  | { readonly kind: "push"; readonly body: PushReport }
  | { readonly kind: "unsupported"; readonly body: { readonly event: string; readonly delivery: string; readonly reason: "event"; readonly detail: string } };

/** The secret as configured: the value itself (local stack) wins over a reference to it (the cloud). */
export function webhookSecretSource(
  settings: Pick<Settings, "webhookSecret" | "webhookSecretRef">,
  resolver: Pick<SecretResolver, "resolve">,
): () => Promise<string | null> {
  return async () => {
    if (settings.webhookSecret) return settings.webhookSecret;
    if (!settings.webhookSecretRef) return null;
    try {
      return await resolver.resolve(settings.webhookSecretRef);
    } catch (error) {
      // The resolver's messages name the reference, never a value.
      throw new WebhookSecretUnavailableError(`the webhook secret could not be read: ${(error as Error).message}`, { cause: error });
    }
  };
}

function replayOf(key: PushKey, delivery: string, earlier: EarlierPush): PushReplay {
  return {
    event: "push",
    delivery,
    repository: key.repository,
    ref: key.ref,
    after: key.after,
    replay: true,
    firstDelivery: earlier.deliveryId,
    detail: `the same push (${key.repository} ${key.ref} at ${key.after}) arrived at ${earlier.receivedAt} in delivery ${earlier.deliveryId}; a push starts runs once within ${PUSH_REPLAY_WINDOW_MS / 60_000} minutes, whatever its delivery id`,
  };
}

export class WebhookService {
  constructor(private readonly deps: WebhookDeps) {}

  async receive(request: WebhookRequest): Promise<WebhookOutcome> {
    const secret = await this.deps.secret();
    if (!secret) {
      throw new WebhookSecretNotConfiguredError(
        "no webhook secret is configured, so no delivery can be verified: set HH_GITOPS_WEBHOOK_SECRET, or HH_GITOPS_WEBHOOK_SECRET_REF to a secret reference",
      );
    }
    // Nothing is read or written before this line: an unsigned request costs one HMAC.
    await verifyGitHubSignature(secret, request.rawBody, request.headers);

    const { event, delivery } = deliveryHeaders(request.headers);
    if (event === "ping") return { kind: "ping", body: { event: "ping", delivery, ok: true } };
    if (event !== "push") {
      return { kind: "unsupported", body: { event, delivery, reason: "event", detail: `${event} deliveries start nothing; subscribe the webhook to push only` } };
    }
    const push = parsePushEvent(deliveryDocument(request.rawBody, request.headers["content-type"]));

    const record = { deliveryId: delivery, event, receivedAt: request.now, retainUntil: new Date(request.now.getTime() + DELIVERY_RETENTION_MS) };
    if (!(await this.deps.deliveries.record(record))) return { kind: "duplicate", body: { duplicate: true, delivery, event } };
    const key: PushKey = { repository: push.repository.full_name, ref: push.ref, after: push.after };
    let pushRecorded = false;
    try {
      const earlier = await this.deps.deliveries.recordPush({
        ...key,
        deliveryId: delivery,
        receivedAt: request.now,
        retainUntil: new Date(request.now.getTime() + PUSH_REPLAY_WINDOW_MS),
      });
      if (earlier) return { kind: "replay", body: replayOf(key, delivery, earlier) };
      pushRecorded = true;
      return { kind: "push", body: await this.onPush(push, delivery, request.now) };
    } catch (error) {
      // Unrecord it, so that a redelivery from GitHub is processed rather than taken for a duplicate or a replay.
      await this.deps.deliveries.forget(delivery, request.now).catch(() => undefined);
      if (pushRecorded) await this.deps.deliveries.forgetPush(key, delivery).catch(() => undefined);
      throw error;
    }
  }

  private async onPush(push: PushEvent, delivery: string, now: Date): Promise<PushReport> {
    const base = { event: "push" as const, delivery, repository: push.repository.full_name, ref: push.ref, after: push.after };
    const decisions = decidePush(push, await this.deps.fabrics.forRepository(pushedRepositoryKeys(push.repository)));
    if (decisions.length === 0) {
      return { ...base, fabrics: [], reason: "no-fabric", detail: `no fabric tracks ${push.repository.full_name}` };
    }
    const settled = await Promise.allSettled(
      decisions.map(async (d): Promise<FabricOutcome> => {
        if (!d.run) return { fabricId: d.fabricId, outcome: "ignored", reason: d.reason, detail: d.detail };
        try {
          const started = await this.deps.runs.start({ fabricId: d.fabricId, kind: "sync", trigger: "webhook", triggerSha: push.after, now });
          return { fabricId: d.fabricId, outcome: started.coalesced ? "coalesced" : "started", runId: started.runId, detail: d.detail };
        } catch (error) {
          if (error instanceof FabricNotFoundError) return { fabricId: d.fabricId, outcome: "ignored", reason: "no-fabric", detail: "the fabric was deleted meanwhile" };
          throw error;
        }
      }),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    return { ...base, fabrics: settled.map((s) => (s as PromiseFulfilledResult<FabricOutcome>).value) };
  }
}
