// Resolves a secret reference to its value: env:NAME (local stack, tests), file:/abs/path (mounted
// secrets), aws-sm:<name or ARN> (AWS Secrets Manager, the cloud). Values from Secrets Manager are
// kept in memory for a short time so a warm Lambda does not pay a call per invocation; nothing is
// ever written anywhere or logged.
import { readFile } from "node:fs/promises";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretAccessDeniedError, SecretNotFoundError, SecretUnavailableError } from "./errors.js";
import { parseSecretReference } from "./reference.js";

export interface SecretResolver {
  /** The secret's value. Throws SecretReferenceError, SecretNotFoundError, SecretAccessDeniedError or SecretUnavailableError. */
  resolve(reference: string): Promise<string>;
}

export interface SecretResolverOptions {
  /** Where env: references are looked up (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A ready client; otherwise one is created on first use from `region` and `secretsManagerEndpoint`. */
  readonly secretsManager?: SecretsManagerClient;
  readonly region?: string;
  /** Endpoint override (the local stack, tests). */
  readonly secretsManagerEndpoint?: string;
  /** How long a Secrets Manager value is reused (default 5 minutes; rotation takes effect after that). */
  readonly cacheTtlMs?: number;
  /** Milliseconds clock, for the cache only (default Date.now). */
  readonly clock?: () => number;
}

export function createSecretResolver(options: SecretResolverOptions = {}): SecretResolver {
  const env = options.env ?? process.env;
  const ttl = options.cacheTtlMs ?? 5 * 60_000;
  const clock = options.clock ?? Date.now;
  const cached = new Map<string, { value: Promise<string>; expires: number }>();
  let client = options.secretsManager;
  const secretsManager = (): SecretsManagerClient =>
    (client ??= new SecretsManagerClient({
      ...(options.region ? { region: options.region } : {}),
      ...(options.secretsManagerEndpoint ? { endpoint: options.secretsManagerEndpoint } : {}),
    }));

  return {
    async resolve(reference: string): Promise<string> {
      const parsed = parseSecretReference(reference);
      switch (parsed.scheme) {
        case "env": {
          const value = env[parsed.name];
          if (value === undefined || value === "") throw new SecretNotFoundError(`secret ${reference}: the variable is not set`);
          return value;
        }
        case "file":
          return readSecretFile(reference, parsed.path);
        case "aws-sm": {
          const now = clock();
          const hit = cached.get(parsed.secretId);
          if (hit && hit.expires > now) return hit.value;
          const value = readSecretsManager(secretsManager(), reference, parsed.secretId);
          cached.set(parsed.secretId, { value, expires: now + ttl });
          // A failure is not remembered: the next call asks again.
          value.catch(() => cached.delete(parsed.secretId));
          return value;
        }
      }
    },
  };
}

async function readSecretFile(reference: string, path: string): Promise<string> {
  try {
    // One trailing newline is what editors and `echo` add; it is not part of a token.
    return (await readFile(path, "utf8")).replace(/\r?\n$/, "");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR") throw new SecretNotFoundError(`secret ${reference}: no such file`, { cause: error });
    if (code === "EACCES" || code === "EPERM") throw new SecretAccessDeniedError(`secret ${reference}: the file is not readable`, { cause: error });
    throw new SecretUnavailableError(`secret ${reference}: the file could not be read (${code ?? "unknown error"})`, { cause: error });
  }
}

async function readSecretsManager(client: SecretsManagerClient, reference: string, secretId: string): Promise<string> {
  let output;
  try {
    output = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  } catch (error) {
    const name = (error as { name?: string }).name ?? "Error";
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === "ResourceNotFoundException") throw new SecretNotFoundError(`secret ${reference}: not found in Secrets Manager`, { cause: error });
    if (name === "AccessDeniedException" || name === "DecryptionFailure" || status === 403) {
      throw new SecretAccessDeniedError(`secret ${reference}: access denied by Secrets Manager (${name})`, { cause: error });
    }
    if (name === "InvalidRequestException" || name === "InvalidParameterException" || name === "ValidationException") {
      throw new SecretNotFoundError(`secret ${reference}: Secrets Manager refused the request (${name})`, { cause: error });
    }
    throw new SecretUnavailableError(`secret ${reference}: Secrets Manager did not answer (${name})`, { cause: error });
  }
  if (output.SecretString !== undefined) return output.SecretString;
  if (output.SecretBinary !== undefined) return new TextDecoder().decode(output.SecretBinary);
  throw new SecretNotFoundError(`secret ${reference}: the secret has no value`);
}
