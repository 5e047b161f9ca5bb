// Fabrics as the API answers them: the stored settings, the registration uid, and the next scheduled sync.
import * as z from "zod";
import { clusterSettingsSchema, gitSettingsSchema, syncSettingsSchema } from "../../fabrics/schema.js";
import { hedgehogSettingsSchema } from "../../hedgehog/settings.js";

export const fabricSchema = z.strictObject({
  id: z.string(),
  uid: z.string().describe("this registration; a fabric registered again under the same name gets a new one"),
  name: z.string(),
  git: gitSettingsSchema,
  cluster: clusterSettingsSchema.nullable(),
  sync: syncSettingsSchema,
  hedgehog: hedgehogSettingsSchema,
  directory: z.strictObject({
    status: z.enum(["not_initialized", "initializing", "initialized", "error"]),
    error: z.string().nullable(),
    lastInitAt: z.string().nullable(),
  }),
  version: z.int().describe("also the ETag; PATCH takes it in If-Match"),
  createdAt: z.string(),
  updatedAt: z.string(),
  nextSyncAt: z.string().nullable().describe("when the schedule syncs it next; null while suspended"),
});

export const fabricListSchema = z.strictObject({ items: z.array(fabricSchema) });

export const fabricCreatedSchema = fabricSchema.extend({
  initRun: z.union([z.strictObject({ runId: z.string() }), z.strictObject({ error: z.string() })]).describe("the init run registration started, or why it could not"),
});

export const forceQuerySchema = z.strictObject({
  force: z.enum(["true", "false"]).optional().describe("true: cancel the run in flight, then delete"),
});
