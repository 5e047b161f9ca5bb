// Shapes every part of the API shares: the problem (RFC 9457), bounded lists, pages and their query
// parameters. The handlers validate with these and the OpenAPI document is generated from them.
import * as z from "zod";

export const fieldProblemSchema = z.strictObject({
  pointer: z.string().describe("where: a JSON pointer into the body (/git/url), or path:/…, query:/…, header:/… for the other parts"),
  message: z.string(),
});

export const problemSchema = z
  .strictObject({
    type: z.string(),
    title: z.string().describe("names the part that was wrong: path, query parameter, header or body"),
    status: z.int(),
    detail: z.string(),
    errors: z.array(fieldProblemSchema).max(20).optional(),
    omittedErrors: z.int().min(1).optional().describe("problems found beyond the 20 listed"),
  })
  .describe("RFC 9457 problem details (application/problem+json)");

/** A list kept as its first items and how many there are in all (run records, roll-ups). */
export function boundedListOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ items: z.array(item), total: z.int().min(0) });
}

/** Largest page of any list. A page is also cut before it reaches 1 MB (then `next` goes on from there). */
export const MAX_PAGE_LIMIT = 500;
export const DEFAULT_PAGE_LIMIT = 100;

export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_LIMIT)
  .default(DEFAULT_PAGE_LIMIT)
  .describe(`page size, 1-${MAX_PAGE_LIMIT}`);

export const cursorParam = z.string().min(1).max(2048).describe("opaque: the `next` of the previous page, unchanged");

/** A POST that takes no parameters: no body, or an empty JSON object. */
export const emptyBodySchema = z.strictObject({}).describe("no fields: send no body, or {}");
