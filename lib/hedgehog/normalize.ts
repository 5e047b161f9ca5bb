// Normalization (DESIGN §3): what a managed/ file holds. It keeps what the user wrote — never the
// defaulted form — in a fixed shape: apiVersion, kind, metadata{name, namespace, labels,
// annotations}, spec. Status and server-set metadata are dropped, the namespace is explicit.
//
// Map keys inside spec, labels and annotations are sorted (code-unit order) so that the same
// resource always produces the same bytes however its author ordered the keys; list order is
// meaning and is kept.
import { NotAResourceError } from "./errors.js";
import { compareText, isRecord, setOwn, type JsonRecord } from "./object.js";
import { writeYaml } from "./yaml-writer.js";

/** Annotations the API server or kubectl write; never desired state. */
const SERVER_SET_ANNOTATIONS = ["kubectl.kubernetes.io/last-applied-configuration"];

function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (!isRecord(value)) return value;
  const out: JsonRecord = {};
  for (const key of Object.keys(value).sort(compareText)) setOwn(out, key, sortedDeep(value[key]));
  return out;
}

function sortedMap(value: unknown, drop: readonly string[] = []): JsonRecord | undefined {
  if (!isRecord(value)) return undefined;
  const out: JsonRecord = {};
  for (const key of Object.keys(value).sort(compareText)) if (!drop.includes(key)) setOwn(out, key, value[key]);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The normalized form of a resource (a new object; the input is not modified). */
export function normalizeResource(resource: unknown): JsonRecord {
  if (!isRecord(resource)) throw new NotAResourceError("only a mapping can be normalized as a resource");
  const out: JsonRecord = {};
  for (const key of ["apiVersion", "kind"]) if (resource[key] !== undefined) setOwn(out, key, resource[key]);
  const metadata = isRecord(resource["metadata"]) ? resource["metadata"] : {};
  const meta: JsonRecord = {};
  if (metadata["name"] !== undefined) setOwn(meta, "name", metadata["name"]);
  const namespace = metadata["namespace"];
  setOwn(meta, "namespace", typeof namespace === "string" && namespace !== "" ? namespace : "default");
  const labels = sortedMap(metadata["labels"]);
  if (labels) setOwn(meta, "labels", labels);
  const annotations = sortedMap(metadata["annotations"], SERVER_SET_ANNOTATIONS);
  if (annotations) setOwn(meta, "annotations", annotations);
  setOwn(out, "metadata", meta);
  if (Object.hasOwn(resource, "spec")) setOwn(out, "spec", sortedDeep(resource["spec"]));
  return out;
}

// Plain scalars that YAML 1.1 readers (go-yaml v2, behind kubectl) turn into booleans, numbers,
// nulls or timestamps. The YAML 1.2 writer leaves them plain; we quote them so that every reader
// sees the string that was written.
const YAML11_NON_STRING = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL)$/,
  /^[-+]?(?:0b[01_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/,
  /^\d{4}-\d{1,2}-\d{1,2}(?:[Tt ]|$)/,
  /^(?:<<|=)$/,
];

const isYaml11NonString = (value: string): boolean => YAML11_NON_STRING.some((pattern) => pattern.test(value));

/**
 * Stable YAML for one resource: block style, two-space indent, sequences at their key's indent, no line
 * folding, no aliases. Byte for byte what every managed file was written as (see yaml-writer.ts).
 */
export function serializeResource(resource: unknown): string {
  return writeYaml(resource, { indentSeq: false, forceDoubleQuote: isYaml11NonString });
}
