// Secret references resolved for real: environment, files, and AWS Secrets Manager through the AWS
// SDK against a stand-in speaking the service's wire protocol.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSecretResolver,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretReferenceError,
  SecretUnavailableError,
} from "../../../lib/secrets/index.js";
import { TempRepos } from "../../support/git-repos.js";
import { startSecretsManager, type SecretsManagerStandIn } from "../../support/git-secrets-manager.js";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:fabric/github-AbCdEf";
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
    "fabric/token": { string: "ghp_from_secrets_manager" },
    [ARN]: { string: '{"appId":1}' },
    "fabric/binary": { binary: new TextEncoder().encode("bytes-token") },
    "fabric/denied": { error: "AccessDeniedException", status: 400 },
    "fabric/broken": { error: "InternalServiceError", status: 500 },
  });
});
afterAll(async () => {
  await manager.close();
  await temp.removeAll();
});

describe("secret references", () => {
  it("reads environment variables and refuses unset ones", async () => {
    const resolver = createSecretResolver({ env: { GITHUB_TOKEN: "ghp_env", EMPTY: "" } });
    expect(await resolver.resolve("env:GITHUB_TOKEN")).toBe("ghp_env");
    await expect(resolver.resolve("env:MISSING")).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(resolver.resolve("env:EMPTY")).rejects.toBeInstanceOf(SecretNotFoundError);
  });

  it("reads files by absolute path, without the trailing newline", async () => {
    const dir = await temp.dir();
    await writeFile(join(dir, "token"), "ghp_file\n");
    const resolver = createSecretResolver({ env: {} });
    expect(await resolver.resolve(`file:${join(dir, "token")}`)).toBe("ghp_file");
    await expect(resolver.resolve(`file:${join(dir, "absent")}`)).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(resolver.resolve("file:relative/token")).rejects.toBeInstanceOf(SecretReferenceError);
  });

  it("never repeats a malformed reference, which may be a pasted secret", async () => {
    const error = await failure(createSecretResolver({ env: {} }).resolve("ghp_actually_a_token"));
    expect(error).toBeInstanceOf(SecretReferenceError);
    expect(error.message).not.toContain("ghp_actually_a_token");
  });

  it("reads AWS Secrets Manager by name or ARN and reuses a value for a while", async () => {
    let now = 0;
    const resolver = createSecretResolver({ secretsManager: client(), cacheTtlMs: 1000, clock: () => now });
    manager.calls.length = 0;
    expect(await resolver.resolve("aws-sm:fabric/token")).toBe("ghp_from_secrets_manager");
    expect(await resolver.resolve("aws-sm:fabric/token")).toBe("ghp_from_secrets_manager");
    expect(await resolver.resolve(`aws-sm:${ARN}`)).toBe('{"appId":1}');
    expect(await resolver.resolve("aws-sm:fabric/binary")).toBe("bytes-token");
    expect(manager.calls).toEqual(["fabric/token", ARN, "fabric/binary"]);
    now = 1001;
    await resolver.resolve("aws-sm:fabric/token");
    expect(manager.calls).toEqual(["fabric/token", ARN, "fabric/binary", "fabric/token"]);
  });

  it("classifies Secrets Manager failures, and does not remember them", async () => {
    const resolver = createSecretResolver({ secretsManager: client() });
    await expect(resolver.resolve("aws-sm:fabric/absent")).rejects.toBeInstanceOf(SecretNotFoundError);
    await expect(resolver.resolve("aws-sm:fabric/denied")).rejects.toBeInstanceOf(SecretAccessDeniedError);
    const unavailable = await failure(resolver.resolve("aws-sm:fabric/broken"));
    expect(unavailable).toBeInstanceOf(SecretUnavailableError);
    expect(unavailable).toMatchObject({ retryable: true });
    manager.calls.length = 0;
    await expect(resolver.resolve("aws-sm:fabric/broken")).rejects.toBeInstanceOf(SecretUnavailableError);
    expect(manager.calls).toEqual(["fabric/broken"]);
  });
});
