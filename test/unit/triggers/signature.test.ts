import { sign } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import { MAX_WEBHOOK_BODY_BYTES, verifyGitHubSignature, WebhookPayloadTooLargeError, WebhookSignatureError } from "../../../lib/triggers/index.js";

// GitHub's documented test values.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
const SECRET = "It's a Secret to Everybody";
const PAYLOAD = "Hello, World!";
const EXPECTED = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

describe("X-Hub-Signature-256", () => {
  it("reproduces GitHub's test vector", async () => {
    expect(await sign(SECRET, PAYLOAD)).toBe(EXPECTED);
    await expect(verifyGitHubSignature(SECRET, PAYLOAD, { "x-hub-signature-256": EXPECTED })).resolves.toBeUndefined();
  });

  it("refuses a wrong secret, a changed body and a changed signature", async () => {
    await expect(verifyGitHubSignature("another secret", PAYLOAD, { "x-hub-signature-256": EXPECTED })).rejects.toThrow(WebhookSignatureError);
    await expect(verifyGitHubSignature(SECRET, `${PAYLOAD} `, { "x-hub-signature-256": EXPECTED })).rejects.toThrow(/does not match/);
    const flipped = EXPECTED.slice(0, -1) + (EXPECTED.endsWith("7") ? "8" : "7");
    await expect(verifyGitHubSignature(SECRET, PAYLOAD, { "x-hub-signature-256": flipped })).rejects.toThrow(WebhookSignatureError);
  });

  it("refuses a missing signature, the SHA-1 one alone, and malformed ones", async () => {
    await expect(verifyGitHubSignature(SECRET, PAYLOAD, {})).rejects.toThrow(/X-Hub-Signature-256 is missing/);
    await expect(verifyGitHubSignature(SECRET, PAYLOAD, { "x-hub-signature": "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59" })).rejects.toThrow(/SHA-1/);
    for (const bad of [EXPECTED.toUpperCase(), EXPECTED.slice(7), `sha1=${EXPECTED.slice(7)}`, `${EXPECTED} `, "sha256="]) {
      await expect(verifyGitHubSignature(SECRET, PAYLOAD, { "x-hub-signature-256": bad }), bad).rejects.toThrow(WebhookSignatureError);
    }
  });

  it("refuses an empty body and, before hashing, one larger than GitHub sends", async () => {
    await expect(verifyGitHubSignature(SECRET, "", { "x-hub-signature-256": await sign(SECRET, " ") })).rejects.toThrow(WebhookSignatureError);
    const huge = "x".repeat(MAX_WEBHOOK_BODY_BYTES + 1);
    await expect(verifyGitHubSignature(SECRET, huge, { "x-hub-signature-256": EXPECTED })).rejects.toThrow(WebhookPayloadTooLargeError);
    // The limit counts bytes, not characters.
    const multiByte = "é".repeat(MAX_WEBHOOK_BODY_BYTES / 2 + 1);
    await expect(verifyGitHubSignature(SECRET, multiByte, { "x-hub-signature-256": EXPECTED })).rejects.toThrow(WebhookPayloadTooLargeError);
  });

  it("verifies multi-byte UTF-8 bodies byte for byte", async () => {
    const body = JSON.stringify({ message: "Grüße, 世界 🦔" });
    await expect(verifyGitHubSignature(SECRET, body, { "x-hub-signature-256": await sign(SECRET, body) })).resolves.toBeUndefined();
  });
});
