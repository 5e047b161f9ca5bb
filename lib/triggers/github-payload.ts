// The parts of GitHub webhook deliveries that we use, validated with zod.
//
// These are the only non-strict schemas of the project: GitHub adds fields to its payloads without
// notice (the push payload grew `custom_properties`, `visibility`, ... over time), and a delivery must
// not be refused for carrying one more field. So the objects below are plain z.object: unknown keys are
// accepted and dropped. Only the fields that decide what we do are checked.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads#push
import * as z from "zod";
import { WebhookPayloadInvalidError, WebhookRequestError } from "./errors.js";

/** A Git object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
const objectId = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, { message: "must be a commit sha" });

/** The file lists may be absent from trimmed payloads; absent means "nothing listed", not an error. */
const paths = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);

const identity = z.object({
  name: z.string().nullish(),
  email: z.string().nullish(),
});

const pushCommit = z.object({
  id: z.string(),
  author: identity.nullish(),
  committer: identity.nullish(),
  added: paths,
  removed: paths,
  modified: paths,
});

const pushRepository = z.object({
  name: z.string().min(1),
  full_name: z.string().min(1),
  owner: z.object({ login: z.string().nullish(), name: z.string().nullish() }).nullish(),
  clone_url: z.string().nullish(),
  html_url: z.string().nullish(),
  ssh_url: z.string().nullish(),
  git_url: z.string().nullish(),
});

export const pushEventSchema = z.object({
  ref: z.string().min(1),
  before: objectId,
  after: objectId,
  created: z.boolean().default(false),
  deleted: z.boolean().default(false),
  forced: z.boolean().default(false),
  // null and absent both mean "GitHub listed no commits" (a deletion, a tag, a push of known commits).
  commits: z
    .array(pushCommit)
    .nullish()
    .transform((v) => v ?? []),
  repository: pushRepository,
});

export type PushEvent = z.output<typeof pushEventSchema>;
export type PushCommit = PushEvent["commits"][number];
export type PushRepository = PushEvent["repository"];

const pullRequestEnd = z.object({
  ref: z.string().min(1),
  sha: objectId,
  // null when the fork the pull request came from was deleted.
  repo: z.object({ full_name: z.string().min(1) }).nullish(),
});

/** The parts of a pull_request delivery we use (https://docs.github.com/en/webhooks/webhook-events-and-payloads#pull_request). */
export const pullRequestEventSchema = z.object({
  action: z.string().min(1),
  number: z.number().int().positive(),
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.enum(["open", "closed"]),
    draft: z.boolean().nullish(),
    html_url: z.string().nullish(),
    head: pullRequestEnd,
    base: pullRequestEnd,
  }),
  repository: pushRepository,
});

export type PullRequestEvent = z.output<typeof pullRequestEventSchema>;

/** What GitHub puts in the headers of every delivery. Header names arrive lowercased (API Gateway v2). */
export interface DeliveryHeaders {
  /** X-GitHub-Event: push, ping, ... */
  readonly event: string;
  /** X-GitHub-Delivery: a GUID, the same on a redelivery. */
  readonly delivery: string;
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,128}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

export function deliveryHeaders(headers: Readonly<Record<string, string | undefined>>): DeliveryHeaders {
  const event = headers["x-github-event"];
  const delivery = headers["x-github-delivery"];
  if (!event || !EVENT_NAME.test(event)) throw new WebhookRequestError("X-GitHub-Event is missing or not an event name");
  // The id becomes part of a table key: only GUID characters.
  if (!delivery || !DELIVERY_ID.test(delivery)) throw new WebhookRequestError("X-GitHub-Delivery is missing or not a delivery GUID");
  return { event, delivery };
}

/**
 * The JSON document of a delivery. GitHub sends it as the body (content type application/json) or as
 * the `payload` field of a form (application/x-www-form-urlencoded), as the webhook is configured.
 */
export function deliveryDocument(rawBody: string, contentType: string | undefined): unknown {
  let json = rawBody;
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? "")) {
    const payload = new URLSearchParams(rawBody).get("payload");
    if (payload === null) throw new WebhookRequestError("the form body has no payload field");
    json = payload;
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new WebhookRequestError(`the payload is not valid JSON: ${(error as Error).message}`);
  }
}

function parseDelivery<S extends z.ZodType>(schema: S, document: unknown, what: string): z.output<S> {
  const result = schema.safeParse(document);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ pointer: issue.path.map((p) => `/${String(p)}`).join(""), message: issue.message }));
  throw new WebhookPayloadInvalidError(`the ${what} payload lacks fields we need: ${problems.map((p) => `${p.pointer || "/"}: ${p.message}`).join("; ")}`, problems);
}

export function parsePushEvent(document: unknown): PushEvent {
  return parseDelivery(pushEventSchema, document, "push");
}

export function parsePullRequestEvent(document: unknown): PullRequestEvent {
  return parseDelivery(pullRequestEventSchema, document, "pull_request");
}
