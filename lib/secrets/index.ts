// Secret references (env:, file:, aws-sm:) and their resolution.
export { SecretAccessDeniedError, SecretNotFoundError, SecretReferenceError, SecretUnavailableError } from "./errors.js";
export { parseSecretReference, type SecretReference } from "./reference.js";
export { createSecretResolver, type SecretResolver, type SecretResolverOptions } from "./resolver.js";
