// The Hedgehog resource model: pure functions over documents (no I/O, no clock). The only file
// access happens once at module load, reading the CRDs shipped in ./crds.
export {
  buildCatalog,
  bundledCatalog,
  bundledCatalogs,
  bundledReleases,
  catalog,
  findKind,
  HEDGEHOG_GROUP_SUFFIX,
  MANAGED_GROUPS,
  managedKinds,
  type Catalog,
  type CatalogSource,
  type KindInfo,
} from "./catalog.js";
export { chooseCatalog, type SchemaReport } from "./catalog-choice.js";
export { BUNDLED_RELEASES, type BundledRelease } from "./releases.js";
export { REFERENCED_KINDS } from "./rules/desired-set.js";
export { CAPABILITY_PROBES, type Capabilities, type CapabilityId, type FieldSupport } from "./capabilities.js";
export { classifyDocument, type Classification } from "./classify.js";
export { withDefaults } from "./defaults.js";
export { isServerWritten, SERVER_WRITTEN_FIELDS, type ServerWrittenField } from "./server-written.js";
export { DocumentParseError, InvalidCrdError, InvalidResourceNameError, LimitExceededError, NotAResourceError } from "./errors.js";
export { ENGINE_RULES, hasErrors, sortFindings, type Finding, type Severity } from "./finding.js";
export { managedPath, resourceId, type ResourceIdentity } from "./identity.js";
export { normalizeResource, serializeResource } from "./normalize.js";
export { writeYaml, type YamlWriterOptions } from "./yaml-writer.js";
export { applyOrderOf, compareApplyOrder, compareDeleteOrder, type OrderedResource } from "./order.js";
export { defaultParseLimits, parseDocuments, type ParsedDocument, type ParseLimits } from "./parse.js";
export { rulesNotEvaluated } from "./rules/index.js";
export { hedgehogSettingsSchema, type HedgehogSettings } from "./settings.js";
export {
  validateBatch,
  validateDocument,
  validateSet,
  type ClusterObjects,
  type SetMember,
  type SourceDocument,
  type ValidationContext,
  type ValidationOptions,
} from "./validate.js";
export { PARSE_RULE, validateFiles, type FileInput } from "./validate-files.js";
