// Kubernetes name syntax (apimachinery validation), used for metadata and for the labels the
// fabric derives from spec fields.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Lowercase RFC 1123 subdomain, at most 253 characters: what a resource name must be. */
export function isDnsSubdomain(value: string): boolean {
  return value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/** Lowercase RFC 1123 label, at most 63 characters: what a namespace must be. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS_LABEL.test(value);
}

/** Empty, or at most 63 characters, alphanumeric at both ends with [-_.A-Za-z0-9] inside. */
export function isLabelValue(value: string): boolean {
  return value === "" || (value.length <= 63 && QUALIFIED_NAME_PART.test(value));
}

/** A label or annotation key: optional DNS-subdomain prefix and "/", then a non-empty name part. */
export function isQualifiedName(value: string): boolean {
  const slash = value.indexOf("/");
  const name = slash < 0 ? value : value.slice(slash + 1);
  if (slash >= 0 && !isDnsSubdomain(value.slice(0, slash))) return false;
  return name.length >= 1 && name.length <= 63 && QUALIFIED_NAME_PART.test(name);
}
