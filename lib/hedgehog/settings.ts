// The fabric settings that CONFIG-tagged rules need, named by the FabricConfig keys of the fabric's
// config.yaml. Every field is optional: a rule whose values are absent is skipped (RULES.md §0).
import * as z from "zod";
import { parseIp, parsePrefix } from "./net.js";
import { BUNDLED_RELEASES } from "./releases.js";

/**
 * Bounds of the settings (DESIGN §14: bound every input): a fabric record must stay far below DynamoDB's
 * 400 KB item limit whatever a caller sends. Real fabrics list a handful of subnets and ranges.
 */
export const HEDGEHOG_SETTINGS_LIMITS = { maxListItems: 256, maxTextLength: 64 } as const;

const text = z.string().max(HEDGEHOG_SETTINGS_LIMITS.maxTextLength);
const list = <T extends z.ZodType>(item: T) => z.array(item).max(HEDGEHOG_SETTINGS_LIMITS.maxListItems);

const prefix = text.refine((value) => parsePrefix(value) !== undefined, { message: "must be an IP prefix such as 10.0.0.0/16" });
const address = text.refine((value) => parseIp(value) !== undefined, { message: "must be an IP address" });
const vlanRange = z
  .strictObject({ from: z.int().min(1).max(4094), to: z.int().min(1).max(4094) })
  .refine((range) => range.from <= range.to, { message: "from must not exceed to" });
const asn = z.int().min(1).max(4294967295);

export const hedgehogSettingsSchema = z.strictObject({
  /**
   * Pins one of the bundled CRD sets for validation without a cluster. A fabric with a cluster is
   * always judged by the CRDs its cluster serves.
   */
  release: z.enum(BUNDLED_RELEASES).optional(),
  reservedSubnets: list(prefix).optional(),
  fabricSubnet: prefix.optional(),
  managementSubnet: prefix.optional(),
  managementDHCPStart: address.optional(),
  /** Written as a prefix upstream (e.g. 172.30.0.1/32); only the address is compared. */
  controlVIP: prefix.optional(),
  protocolSubnet: prefix.optional(),
  vtepSubnet: prefix.optional(),
  /** v0.126.0 accepts only spine-leaf. */
  fabricMode: z.literal("spine-leaf").optional(),
  fabricMTU: z.int().min(1).optional(),
  serverFacingMTUOffset: z.int().min(0).optional(),
  vpcIRBVLANRange: list(vlanRange).optional(),
  th5WorkaroundVLANRange: list(vlanRange).optional(),
  vpcPeeringDisabled: z.boolean().optional(),
  spineASN: asn.optional(),
  leafASNStart: asn.optional(),
  leafASNEnd: asn.optional(),
  enableGateway: z.boolean().optional(),
  allowExtraSwitchProfiles: z.boolean().optional(),
  includeSONiCCLSPlus: z.boolean().optional(),
  includeCumulus: z.boolean().optional(),
});

export type HedgehogSettings = z.infer<typeof hedgehogSettingsSchema>;
export type SettingKey = keyof HedgehogSettings;
