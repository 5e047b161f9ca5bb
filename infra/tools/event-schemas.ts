// `npx tsx infra/tools/event-schemas.ts`: writes the JSON Schema of each event's detail
// (docs/events/<detail-type>.schema.json) from the zod schemas in lib/events/schemas.ts, the ones the
// sinks check every event against before sending it. Consumers validate with these, or register them in
// an EventBridge schema registry. A unit test fails when a file no longer matches its zod schema.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import { DETAIL_SCHEMAS, type DetailType } from "../../lib/events/schemas.js";

export const EVENT_SCHEMA_DIR = fileURLToPath(new URL("../../docs/events/", import.meta.url));

/** "Resource Drifted" → resource-drifted.schema.json */
export const schemaFileName = (detailType: DetailType): string => `${detailType.toLowerCase().replace(/ /g, "-")}.schema.json`;

export function renderEventSchema(detailType: DetailType): string {
  const schema = z.toJSONSchema(DETAIL_SCHEMAS[detailType], { io: "output", target: "draft-2020-12" });
  return `${JSON.stringify({ ...schema, title: `hedgehog-gitops ${detailType} (detail, v1)` }, null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(EVENT_SCHEMA_DIR, { recursive: true });
  for (const detailType of Object.keys(DETAIL_SCHEMAS) as DetailType[]) {
    writeFileSync(join(EVENT_SCHEMA_DIR, schemaFileName(detailType)), renderEventSchema(detailType));
    console.log(`wrote docs/events/${schemaFileName(detailType)}`);
  }
}
