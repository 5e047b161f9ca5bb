// Which secret references a fabric may use (DESIGN §14). One table, read by one function, applied at
// registration (a 422 naming the field) and again by the resolver before anything is read.
//   cloud   aws-sm:<prefix>/<fabricId>/<name>           (IAM also grants only <prefix>/*)
//   local   the same, plus env:HH_GITOPS_SECRET_<NAME> and file:<data dir>/secrets/<name>
// A fabric can never name another fabric's secret, a file elsewhere, or a variable of the process.
import { normalize } from "node:path/posix";
import { parseSecretReference, type SecretReference } from "./reference.js";

export type Deployment = "cloud" | "local";

/** The setting that says which rules apply; named in refusals. */
export const DEPLOYMENT_SETTING = "HH_GITOPS_DEPLOYMENT";
/** env: references must name variables with this prefix. */
export const SECRET_VARIABLE_PREFIX = "HH_GITOPS_SECRET_";
/** Longest reference accepted (a Secrets Manager name is at most 512 characters). */
export const MAX_REFERENCE_LENGTH = 1024;

export interface SecretPolicy {
  readonly deployment: Deployment;
  /** Secrets Manager names of a fabric start with `<secretNamePrefix>/<fabricId>/` (no trailing slash here). */
  readonly secretNamePrefix: string;
  /** Local deployment: the absolute `<data dir>/secrets`, under which file: references must lie; null: none allowed. */
  readonly secretsDir: string | null;
}

interface SchemeRule {
  readonly deployments: readonly Deployment[];
  /** The allowed form, for messages; null when the scheme cannot be used under this policy at all. */
  form(policy: SecretPolicy, fabricId: string): string | null;
  /** Why the reference breaks the rule, or null. */
  problem(reference: SecretReference, policy: SecretPolicy, fabricId: string): string | null;
}

// Secrets Manager name characters (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html).
const SECRET_NAME = /^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/;
const SECRET_VARIABLE = /^HH_GITOPS_SECRET_[A-Z0-9_]+$/;

const SCHEME_RULES: Readonly<Record<SecretReference["scheme"], SchemeRule>> = {
  "aws-sm": {
    deployments: ["cloud", "local"],
    form: (policy, fabricId) => `aws-sm:${policy.secretNamePrefix}/${fabricId}/<name>`,
    problem: (reference, policy, fabricId) => {
      if (reference.scheme !== "aws-sm") return null;
      const own = `${policy.secretNamePrefix}/${fabricId}/`;
      const name = reference.secretId.startsWith(own) ? reference.secretId.slice(own.length) : null;
      if (name === null) return `must name a Secrets Manager secret of this fabric, ${own}<name> (not an ARN, not another fabric's secret)`;
      return SECRET_NAME.test(name) ? null : `the name after ${own} may only hold letters, digits and _+=.@-/`;
    },
  },
  env: {
    deployments: ["local"],
    form: () => `env:${SECRET_VARIABLE_PREFIX}<NAME>`,
    problem: (reference) =>
      reference.scheme === "env" && !SECRET_VARIABLE.test(reference.name)
        ? `must name a variable ${SECRET_VARIABLE_PREFIX}<NAME> (upper case letters, digits, _); other variables of the server are not secrets of a fabric`
        : null,
  },
  file: {
    deployments: ["local"],
    form: (policy) => (policy.secretsDir === null ? null : `file:${policy.secretsDir}/<name>`),
    problem: (reference, policy) => {
      if (reference.scheme !== "file") return null;
      if (policy.secretsDir === null) return "file: references need the data dir (HH_GITOPS_DATA_DIR), whose secrets/ folder holds them";
      const path = reference.path;
      if (normalize(path) !== path || path.split("/").includes("..")) return "must be a plain absolute path (no '.', '..' or '//')";
      return path.startsWith(`${policy.secretsDir}/`) ? null : `must be a file under ${policy.secretsDir}/`;
    },
  },
};

/** The reference forms this policy allows a fabric, for messages. */
export function allowedSecretForms(policy: SecretPolicy, fabricId: string): string[] {
  return Object.values(SCHEME_RULES)
    .filter((rule) => rule.deployments.includes(policy.deployment))
    .map((rule) => rule.form(policy, fabricId))
    .filter((form): form is string => form !== null);
}

/**
 * Why fabric `fabricId` may not use `reference`, or null when it may. The message names the rule and
 * the allowed forms; it echoes the reference only by scheme (a malformed one may be a pasted secret).
 */
export function secretReferenceProblem(reference: string, policy: SecretPolicy, fabricId: string): string | null {
  if (reference.length > MAX_REFERENCE_LENGTH) return `is longer than ${MAX_REFERENCE_LENGTH} characters`;
  let parsed: SecretReference;
  try {
    parsed = parseSecretReference(reference);
  } catch (error) {
    return (error as Error).message;
  }
  const rule = SCHEME_RULES[parsed.scheme];
  const allowed = `use ${allowedSecretForms(policy, fabricId).join(" or ")}`;
  if (!rule.deployments.includes(policy.deployment)) {
    return `${parsed.scheme}: references are not allowed in this deployment (${DEPLOYMENT_SETTING}=${policy.deployment}); ${allowed}`;
  }
  const problem = rule.problem(parsed, policy, fabricId);
  return problem === null ? null : `${parsed.scheme}: reference ${problem}; ${allowed}`;
}
