// The naming rules of k8s.io/apimachinery/pkg/util/validation, with its messages verbatim.

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const DNS1123_SUBDOMAIN_MAX = 253;

const QUALIFIED_NAME_CHAR = "[A-Za-z0-9]";
const QUALIFIED_NAME = `(${QUALIFIED_NAME_CHAR}[-A-Za-z0-9_.]*)?${QUALIFIED_NAME_CHAR}`;
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME}$`);
const QUALIFIED_NAME_MAX = 63;
const QUALIFIED_NAME_ERROR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const LABEL_VALUE = `(${QUALIFIED_NAME})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE}$`);
const LABEL_VALUE_MAX = 63;

function regexError(message: string, regex: string, examples: readonly string[]): string {
  let out = `${message} (`;
  if (examples.length > 0) {
    out += "e.g. " + examples.map((e) => `'${e}'`).join(",  or ") + ", ";
  }
  return `${out}regex used for validation is '${regex}')`;
}

function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** IsDNS1123Subdomain: metadata.name of most objects, label key prefixes. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errors.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        ["example.com"],
      ),
    );
  }
  return errors;
}

/** IsQualifiedName: label and annotation keys, finalizer names. */
export function qualifiedNameErrors(value: string): string[] {
  const errors: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0] as string;
  } else if (parts.length === 2) {
    const prefix = parts[0] as string;
    name = parts[1] as string;
    if (prefix.length === 0) errors.push("prefix part must be non-empty");
    else for (const msg of dns1123SubdomainErrors(prefix)) errors.push(`prefix part ${msg}`);
  } else {
    return [
      "a qualified name " +
        regexError(QUALIFIED_NAME_ERROR, QUALIFIED_NAME, ["MyName", "my.name", "123-abc"]) +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errors.push("name part must be non-empty");
  else if (name.length > QUALIFIED_NAME_MAX) errors.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!QUALIFIED_NAME_RE.test(name)) {
    errors.push(`name part ${regexError(QUALIFIED_NAME_ERROR, QUALIFIED_NAME, ["MyName", "my.name", "123-abc"])}`);
  }
  return errors;
}

/** IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errors.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE_RE.test(value)) {
    errors.push(
      regexError(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, LABEL_VALUE, [
        "MyValue",
        "my_value",
        "12345",
      ]),
    );
  }
  return errors;
}
