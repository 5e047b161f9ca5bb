// docs/EVENTS.md and docs/events/*.schema.json say what consumers of the events receive: the schema files
// are the zod schemas every event is checked against (regenerate with
// `npx tsx infra/tools/event-schemas.ts`), every example in the document is a valid event, and every field
// of a detail is explained in its section.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { EVENT_SCHEMA_DIR, renderEventSchema, schemaFileName } from "../../../infra/tools/event-schemas.js";
import { DETAIL_SCHEMAS, EVENT_SOURCE, type DetailType } from "../../../lib/events/index.js";

const DOC = readFileSync(new URL("../../../docs/EVENTS.md", import.meta.url), "utf8");
const DETAIL_TYPES = Object.keys(DETAIL_SCHEMAS) as DetailType[];
const COMMON_FIELDS = ["v", "eventId", "fabricId", "runId"];

/** The document's `## <title>` sections by title. */
const sections = new Map(
  DOC.split(/^## /m)
    .slice(1)
    .map((part) => [part.slice(0, part.indexOf("\n")).trim(), part] as const),
);
const jsonBlocks = (text: string): unknown[] => [...text.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
const schemaFile = (type: DetailType) => JSON.parse(readFileSync(join(EVENT_SCHEMA_DIR, schemaFileName(type)), "utf8")) as Record<string, unknown>;

describe("the events' documentation", () => {
  it("ships one JSON Schema file per detail-type, generated from the schemas events are checked against", () => {
    for (const type of DETAIL_TYPES) {
      expect(readFileSync(join(EVENT_SCHEMA_DIR, schemaFileName(type)), "utf8"), `${schemaFileName(type)} is stale: npx tsx infra/tools/event-schemas.ts`).toBe(renderEventSchema(type));
      expect(DOC).toContain(`| \`${type}\` |`);
      expect(DOC).toContain(`(events/${schemaFileName(type)})`);
    }
  });

  it("gives every detail-type a section whose examples are valid events and whose table names every field", () => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    for (const type of DETAIL_TYPES) {
      const section = sections.get(type);
      expect(section, `a "## ${type}" section`).toBeDefined();
      const examples = jsonBlocks(section!);
      expect(examples.length, type).toBeGreaterThan(0);
      const validate = ajv.compile(schemaFile(type));
      for (const example of examples) {
        const envelope = example as { "detail-type"?: string; source?: string; detail?: unknown };
        const detail = envelope["detail-type"] === undefined ? example : envelope.detail;
        if (envelope["detail-type"] !== undefined) expect([envelope["detail-type"], envelope.source]).toEqual([type, EVENT_SOURCE]);
        expect(() => DETAIL_SCHEMAS[type].parse(detail), type).not.toThrow();
        expect(validate(detail) ? [] : validate.errors, type).toEqual([]);
      }
      const fields = Object.keys((schemaFile(type).properties ?? {}) as Record<string, unknown>);
      for (const field of fields.filter((f) => !COMMON_FIELDS.includes(f))) expect(section, `${type}: field ${field}`).toMatch(new RegExp(`\\| [^\\n]*\`${field}\``));
    }
    for (const field of COMMON_FIELDS) expect(sections.get("Fields every detail has")).toContain(`| \`${field}\` |`);
  });
});
