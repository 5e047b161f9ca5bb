// The three places a secret may live. Only the reference is stored with a fabric; the value is read
// when needed and kept in memory only.
import { SecretReferenceError } from "./errors.js";

export type SecretReference =
  | { readonly scheme: "env"; readonly name: string }
  | { readonly scheme: "file"; readonly path: string }
  | { readonly scheme: "aws-sm"; readonly secretId: string };

export function parseSecretReference(reference: string): SecretReference {
  const colon = reference.indexOf(":");
  const scheme = colon === -1 ? "" : reference.slice(0, colon);
  // Everything after the first colon: an ARN has colons of its own.
  const target = reference.slice(colon + 1);
  if (scheme === "env" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(target)) return { scheme, name: target };
  if (scheme === "file" && target.startsWith("/") && !target.includes("\0")) return { scheme, path: target };
  if (scheme === "aws-sm" && /^\S+$/.test(target)) return { scheme, secretId: target };
  // The value is not echoed: a malformed reference is sometimes the secret itself, pasted by mistake.
  throw new SecretReferenceError("the secret reference is not env:NAME, file:/absolute/path or aws-sm:<secret name or ARN>");
}
