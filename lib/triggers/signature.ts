// GitHub webhook authentication: X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(secret, raw body), hex.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
import { verify } from "@octokit/webhooks-methods";
import { WebhookPayloadTooLargeError, WebhookSignatureError } from "./errors.js";

/**
 * GitHub caps webhook payloads at 25 MB and drops larger deliveries, so nothing larger is a genuine
 * delivery. (In front of the function the infrastructure caps lower: API Gateway at 10 MB, a synchronous
 * Lambda invocation at 6 MB; this limit is the handler's own defence, wherever it runs.)
 * https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap
 */
export const MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024;

const SIGNATURE_256 = /^sha256=[0-9a-f]{64}$/;

/**
 * Checks that `rawBody` (the body exactly as received) was signed with `secret`. Throws
 * WebhookPayloadTooLargeError above MAX_WEBHOOK_BODY_BYTES (checked first: no hashing of oversized
 * bodies), and WebhookSignatureError when the signature is missing, is only the legacy SHA-1 one, is malformed or
 * does not match; the comparison is constant time (@octokit/webhooks-methods uses timingSafeEqual).
 */
export async function verifyGitHubSignature(
  secret: string,
  rawBody: string,
  headers: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  if (Buffer.byteLength(rawBody, "utf8") > MAX_WEBHOOK_BODY_BYTES) {
    throw new WebhookPayloadTooLargeError(`the body exceeds ${MAX_WEBHOOK_BODY_BYTES} bytes, more than GitHub ever sends`);
  }
  const signature = headers["x-hub-signature-256"];
  if (signature === undefined || signature === "") {
    // X-Hub-Signature (HMAC-SHA1) is kept by GitHub for old integrations only; SHA-1 is not accepted.
    throw new WebhookSignatureError(
      headers["x-hub-signature"] !== undefined
        ? "only X-Hub-Signature (SHA-1) was sent; X-Hub-Signature-256 is required"
        : "X-Hub-Signature-256 is missing; set a secret on the GitHub webhook",
    );
  }
  if (!SIGNATURE_256.test(signature)) throw new WebhookSignatureError("X-Hub-Signature-256 is not sha256=<64 hex digits>");
  // An empty body cannot be a delivery (and the library refuses to hash one).
  if (rawBody === "" || !(await verify(secret, rawBody, signature))) {
    throw new WebhookSignatureError("X-Hub-Signature-256 does not match the body; check the webhook secret");
  }
}
