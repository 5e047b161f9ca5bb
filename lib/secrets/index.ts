// Secret references (env:, file:, aws-sm:), the policy of which a fabric may use, and their resolution.
export { SecretAccessDeniedError, SecretNotFoundError, SecretReferenceError, SecretRefusedError, SecretUnavailableError } from "./errors.js";
export {
  DEPLOYMENT_SETTING,
  MAX_REFERENCE_LENGTH,
  SECRET_VARIABLE_PREFIX,
  allowedSecretForms,
  secretReferenceProblem,
  type Deployment,
  type SecretPolicy,
} from "./policy.js";
export { parseSecretReference, type SecretReference } from "./reference.js";
export { MAX_SECRET_BYTES, createSecretStore, type SecretResolver, type SecretStore, type SecretStoreOptions } from "./resolver.js";
