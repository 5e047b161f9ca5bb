// Health, the API description, and the webhook's answers.
import * as z from "zod";

export const healthSchema = z.strictObject({ status: z.literal("ok") });

export const openApiDocumentSchema = z.record(z.string(), z.unknown()).describe("this document (OpenAPI 3.1)");

const pushFields = { event: z.literal("push"), delivery: z.string(), repository: z.string(), ref: z.string(), after: z.string() };

const fabricOutcomeSchema = z.union([
  z.strictObject({ fabricId: z.string(), outcome: z.enum(["started", "coalesced"]), runId: z.string(), detail: z.string() }),
  z.strictObject({ fabricId: z.string(), outcome: z.literal("ignored"), reason: z.enum(["branch", "directory", "own-commit", "deleted", "no-fabric"]), detail: z.string() }),
]);

export const webhookAnswerSchema = z.union([
  z.strictObject({ duplicate: z.literal(true), delivery: z.string(), event: z.string() }),
  z.strictObject({ ...pushFields, replay: z.literal(true), firstDelivery: z.string(), detail: z.string() }),
  z.strictObject({ event: z.literal("ping"), delivery: z.string(), ok: z.literal(true) }),
  z.strictObject({ ...pushFields, fabrics: z.array(fabricOutcomeSchema), reason: z.literal("no-fabric").optional(), detail: z.string().optional() }),
  z.strictObject({ event: z.string(), delivery: z.string(), reason: z.literal("event"), detail: z.string() }),
]);

export const webhookHeadersSchema = z.object({
  "x-hub-signature-256": z.string().describe("sha256=<HMAC-SHA256 of the raw body with the webhook secret>"),
  "x-github-event": z.string().describe("push or ping (others are answered, start nothing)"),
  "x-github-delivery": z.string().describe("the delivery's GUID: a redelivery is answered { duplicate: true }"),
});
