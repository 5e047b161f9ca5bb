// Secret references resolved for real: environment, files, and AWS Secrets Manager through the AWS
// SDK against a stand-in speaking the service's wire protocol. A fabric's references pass the policy
// first (lib/secrets/policy.ts); the operator's own (the webhook secret's) do not need to.
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSecretStore,
  MAX_SECRET_BYTES,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretReferenceError,
  SecretRefusedError,
  SecretUnavailableError,
  type SecretPolicy,
} from "../../../lib/secrets/index.js";
import { TempRepos } from "../../support/git-repos.js";
import { startSecretsManager, type SecretsManagerStandIn } from "../../support/git-secrets-manager.js";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:webhook-AbCdEf";
const LOCAL: SecretPolicy = { deployment: "local", secretNamePrefix: "hedgehog-gitops", secretsDir: null };
const CLOUD: SecretPolicy = { deployment: "cloud", secretNamePrefix: "hedgehog-gitops", secretsDir: null };
const temp = new TempRepos();
let manager: SecretsManagerStandIn;

function client(): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint: manager.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

beforeAll(async () => {
  manager = await startSecretsManager({
    "hedgehog-gitops/fabric-1/token": { string: "ghp_from_secrets_manager" },
    [ARN]: { string: "webhook-secret" },
    "hedgehog-gitops/fabric-1/binary": { binary: new TextEncoder().encode("bytes-token") },
    "hedgehog-gitops/fabric-1/denied": { error: "AccessDeniedException", status: 400 },
    "hedgehog-gitops/fabric-1/broken": { error: "InternalServiceError", status: 500 },
  });
});
afterAll(async () => {
  await manager.close();
  await temp.removeAll();
});

describe("secret references", () => {
  it("reads HH_GITOPS_SECRET_* variables locally and refuses unset ones", async () => {
    const resolver = createSecretStore({ policy: LOCAL, env: { HH_GITOPS_SECRET_GITHUB: "ghp_env", HH_GITOPS_SECRET_EMPTY: "" } }).forFabric("fabric-1");
    expect(await resolver.resolve("env:HH_GITOPS_SECRET_GITHUB")).toBe("ghp_env");
    await expect(resolver.resolve("env:HH_GITOPS_SECRET_MISSING")).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(resolver.resolve("env:HH_GITOPS_SECRET_EMPTY")).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("reads files under the data dir's secrets/, without the trailing newline, and nothing that leads elsewhere", async () => {
    const dir = await temp.dir();
    const secretsDir = join(dir, "secrets");
    await mkdir(secretsDir);
    await writeFile(join(secretsDir, "token"), "ghp_file\n");
    await writeFile(join(dir, "outside"), "not a fabric's secret\n");
    await symlink(join(dir, "outside"), join(secretsDir, "link"));
    await writeFile(join(secretsDir, "big"), "x".repeat(MAX_SECRET_BYTES + 1));
    const resolver = createSecretStore({ policy: { ...LOCAL, secretsDir }, env: {} }).forFabric("fabric-1");
    expect(await resolver.resolve(`file:${join(secretsDir, "token")}`)).toBe("ghp_file");
    await expect(resolver.resolve(`file:${join(secretsDir, "absent")}`)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(resolver.resolve("file:relative/token")).rejects.toBeInstanceOf(SecretReferenceError);
    await expect(resolver.resolve(`file:${join(dir, "outside")}`)).rejects.toBeInstanceOf(SecretRefusedError);
    await expect(resolver.resolve(`file:${secretsDir}/../outside`)).rejects.toBeInstanceOf(SecretRefusedError);
    await expect(resolver.resolve(`file:${join(secretsDir, "link")}`)).rejects.toBeInstanceOf(SecretRefusedError);
    await expect(resolver.resolve(`file:${secretsDir}`)).rejects.toBeInstanceOf(SecretRefusedError);
    await expect(resolver.resolve(`file:${join(secretsDir, "big")}`)).rejects.toThrow(/larger than 65536 bytes/);
  });

  it("never repeats a malformed reference, which may be a pasted secret", async () => {
    const error = await failure(createSecretStore({ policy: LOCAL, env: {} }).forFabric("fabric-1").resolve("ghp_actually_a_token"));
    expect(error).toBeInstanceOf(SecretReferenceError);
    expect(error.message).not.toContain("ghp_actually_a_token");
  });

  it("reads a fabric's own Secrets Manager secrets by name and reuses a value for a while", async () => {
    let now = 0;
    const store = createSecretStore({ policy: CLOUD, secretsManager: client(), cacheTtlMs: 1000, clock: () => now });
    const resolver = store.forFabric("fabric-1");
    manager.calls.length = 0;
    expect(await resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/token")).toBe("ghp_from_secrets_manager");
    expect(await resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/token")).toBe("ghp_from_secrets_manager");
    expect(await store.operator.resolve(`aws-sm:${ARN}`)).toBe("webhook-secret");
    expect(await resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/binary")).toBe("bytes-token");
    expect(manager.calls).toEqual(["hedgehog-gitops/fabric-1/token", ARN, "hedgehog-gitops/fabric-1/binary"]);
    now = 1001;
    await resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/token");
    expect(manager.calls).toEqual(["hedgehog-gitops/fabric-1/token", ARN, "hedgehog-gitops/fabric-1/binary", "hedgehog-gitops/fabric-1/token"]);
  });

  it("refuses, before asking anyone, what a fabric may not name: another fabric's secret, an ARN, env: and file: in the cloud", async () => {
    const store = createSecretStore({ policy: CLOUD, secretsManager: client(), env: { HH_GITOPS_SECRET_X: "x" } });
    manager.calls.length = 0;
    for (const reference of ["aws-sm:hedgehog-gitops/fabric-2/token", `aws-sm:${ARN}`, "aws-sm:other/fabric-1/token", "env:HH_GITOPS_SECRET_X", "file:/etc/hostname"]) {
      await expect(store.forFabric("fabric-1").resolve(reference), reference).rejects.toBeInstanceOf(SecretRefusedError);
    }
    expect(manager.calls).toEqual([]);
  });

  it("classifies Secrets Manager failures, and does not remember them", async () => {
    const resolver = createSecretStore({ policy: CLOUD, secretsManager: client() }).forFabric("fabric-1");
    await expect(resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/absent")).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/denied")).rejects.toBeInstanceOf(SecretAccessDeniedError);
    const unavailable = await failure(resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/broken"));
    expect(unavailable).toBeInstanceOf(SecretUnavailableError);
    expect(unavailable).toMatchObject({ retryable: true });
    manager.calls.length = 0;
    await expect(resolver.resolve("aws-sm:hedgehog-gitops/fabric-1/broken")).rejects.toBeInstanceOf(SecretUnavailableError);
    expect(manager.calls).toEqual(["hedgehog-gitops/fabric-1/broken"]);
  });
});
