// Identity (`group/Kind/namespace/name`) and the managed/ path of a resource. Names that are not
// valid RFC 1123 subdomains never become an identity or a path, so "..", "/" and friends cannot
// escape managed/.
import { splitApiVersion, type KindInfo } from "./catalog.js";
import { InvalidResourceNameError, NotAResourceError } from "./errors.js";
import { isDnsLabel, isDnsSubdomain } from "./names.js";
import { stringAt } from "./object.js";

const DEFAULT_NAMESPACE = "default";

/** Who a resource is, everywhere it is recorded: the identity string and its parts. */
export interface ResourceIdentity {
  /** group/Kind/namespace/name */
  readonly id: string;
  readonly group: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

function checkedName(name: string, namespace: string): void {
  if (!isDnsSubdomain(name)) throw new InvalidResourceNameError(`name ${JSON.stringify(name)} is not a lowercase RFC 1123 subdomain`);
  if (!isDnsLabel(namespace)) throw new InvalidResourceNameError(`namespace ${JSON.stringify(namespace)} is not a lowercase RFC 1123 label`);
}

/** "group/Kind/namespace/name"; the core group is written "core"; namespace defaults to "default". */
export function resourceId(resource: unknown): string {
  const apiVersion = stringAt(resource, ["apiVersion"]);
  const kind = stringAt(resource, ["kind"]);
  const name = stringAt(resource, ["metadata", "name"]);
  if (!apiVersion || !kind || name === undefined) throw new NotAResourceError("an identity needs apiVersion, kind and metadata.name");
  const namespace = stringAt(resource, ["metadata", "namespace"]) || DEFAULT_NAMESPACE;
  checkedName(name, namespace);
  if (!/^[A-Za-z0-9]+$/.test(kind)) throw new NotAResourceError(`kind ${JSON.stringify(kind)} is not a valid kind name`);
  return `${splitApiVersion(apiVersion).group || "core"}/${kind}/${namespace}/${name}`;
}

/** managed/<plural>/<name>.yaml, or managed/<plural>/<namespace>/<name>.yaml outside `default`. */
export function managedPath(kindInfo: KindInfo, namespace: string | undefined, name: string): string {
  const ns = namespace || DEFAULT_NAMESPACE;
  checkedName(name, ns);
  return ns === DEFAULT_NAMESPACE ? `managed/${kindInfo.plural}/${name}.yaml` : `managed/${kindInfo.plural}/${ns}/${name}.yaml`;
}
