// Resolves secret references to values: env:NAME (local stack), file:/abs/path (local stack: under the
// data dir's secrets/), aws-sm:<name> (AWS Secrets Manager). A fabric's references go through
// `forFabric(id)`, which checks each against the policy (lib/secrets/policy.ts) before anything is
// read — the same check as at registration, repeated because the table may hold what no API call
// would accept today (an older record, a changed policy, a hand edit). Values from Secrets Manager are
// kept in memory for a short time so a warm Lambda does not pay a call per invocation; nothing is ever
// written anywhere or logged.
import { constants } from "node:fs";
import { open, realpath } from "node:fs/promises";
import { sep } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretAccessDeniedError, SecretNotFoundError, SecretRefusedError, SecretUnavailableError } from "./errors.js";
import { secretReferenceProblem, type SecretPolicy } from "./policy.js";
import { parseSecretReference } from "./reference.js";

/** Largest secret value read (Secrets Manager's own limit is 64 KiB; a kubeconfig with certificates is a few KiB). */
export const MAX_SECRET_BYTES = 64 * 1024;

export interface SecretResolver {
  /** The secret's value. Throws SecretReferenceError, SecretRefusedError, SecretNotFoundError, SecretAccessDeniedError or SecretUnavailableError. */
  resolve(reference: string): Promise<string>;
}

export interface SecretStore {
  /** Resolves fabric `fabricId`'s references, each checked against the policy first. */
  forFabric(fabricId: string): SecretResolver;
  /** The operator's own references from the environment (the webhook secret), which no API caller can set. */
  readonly operator: SecretResolver;
}

export interface SecretStoreOptions {
  /** Which references a fabric may use (from the settings: deployment, secret name prefix, data dir). */
  readonly policy: SecretPolicy;
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

export function createSecretStore(options: SecretStoreOptions): SecretStore {
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

  const fromSecretsManager = (reference: string, secretId: string): Promise<string> => {
    const now = clock();
    const hit = cached.get(secretId);
    if (hit && hit.expires > now) return hit.value;
    const value = readSecretsManager(secretsManager(), reference, secretId);
    cached.set(secretId, { value, expires: now + ttl });
    // A failure is not remembered: the next call asks again.
    value.catch(() => cached.delete(secretId));
    return value;
  };

  /** Where file: references may lead: anywhere (the operator's own), only inside a folder, or nowhere. */
  type FileRule = { readonly kind: "anywhere" } | { readonly kind: "inside"; readonly dir: string } | { readonly kind: "none" };
  const resolve = async (reference: string, files: FileRule): Promise<string> => {
    const parsed = parseSecretReference(reference);
    switch (parsed.scheme) {
      case "env": {
        const value = env[parsed.name];
        if (value === undefined || value === "") throw new SecretNotFoundError(`secret ${reference}: the variable is not set`);
        if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new SecretRefusedError(`secret ${reference}: larger than ${MAX_SECRET_BYTES} bytes`);
        return value;
      }
      case "file":
        if (files.kind === "none") throw new SecretRefusedError(`secret ${reference}: file: references need the data dir (HH_GITOPS_DATA_DIR)`);
        return readSecretFile(reference, files.kind === "anywhere" ? parsed.path : await insideSecretsDir(reference, parsed.path, files.dir));
      case "aws-sm":
        return fromSecretsManager(reference, parsed.secretId);
    }
  };

  return {
    forFabric: (fabricId) => ({
      resolve: async (reference) => {
        parseSecretReference(reference); // a malformed reference is a SecretReferenceError, as for the operator's
        const problem = secretReferenceProblem(reference, options.policy, fabricId);
        if (problem !== null) throw new SecretRefusedError(`secret reference of fabric ${fabricId} refused: ${problem}`);
        const secretsDir = options.policy.secretsDir;
        return resolve(reference, secretsDir === null ? { kind: "none" } : { kind: "inside", dir: secretsDir });
      },
    }),
    operator: { resolve: (reference) => resolve(reference, { kind: "anywhere" }) },
  };
}

/** The file's real path, when it lies inside the secrets folder after every symbolic link is followed. */
async function insideSecretsDir(reference: string, path: string, secretsDir: string): Promise<string> {
  let root: string;
  let real: string;
  try {
    root = await realpath(secretsDir);
    real = await realpath(path);
  } catch (error) {
    throw fileError(reference, error);
  }
  if (!real.startsWith(root + sep)) throw new SecretRefusedError(`secret ${reference}: leads outside ${secretsDir} (through a symbolic link) and is not read`);
  return real;
}

async function readSecretFile(reference: string, path: string): Promise<string> {
  let handle;
  try {
    // O_NONBLOCK: a FIFO would otherwise block the open until someone writes to it.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fileError(reference, error);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new SecretNotFoundError(`secret ${reference}: not a regular file`);
    if (stats.size > MAX_SECRET_BYTES) throw new SecretRefusedError(`secret ${reference}: larger than ${MAX_SECRET_BYTES} bytes`);
    const buffer = Buffer.alloc(MAX_SECRET_BYTES + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > MAX_SECRET_BYTES) throw new SecretRefusedError(`secret ${reference}: larger than ${MAX_SECRET_BYTES} bytes`);
    // One trailing newline is what editors and `echo` add; it is not part of a token.
    return buffer.subarray(0, bytesRead).toString("utf8").replace(/\r?\n$/, "");
  } catch (error) {
    if (error instanceof SecretNotFoundError || error instanceof SecretRefusedError) throw error;
    throw fileError(reference, error);
  } finally {
    await handle.close();
  }
}

function fileError(reference: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "EISDIR" || code === "ENOTDIR" || code === "ELOOP") return new SecretNotFoundError(`secret ${reference}: no such file`, { cause: error });
  if (code === "EACCES" || code === "EPERM") return new SecretAccessDeniedError(`secret ${reference}: the file is not readable`, { cause: error });
  return new SecretUnavailableError(`secret ${reference}: the file could not be read (${code ?? "unknown error"})`, { cause: error });
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
