// Finding: a fabric registered with git.url on the caller's host and credentials "file:/etc/shadow",
// "file:/proc/self/environ", "env:HH_GITOPS_WEBHOOK_SECRET" or "env:AWS_SECRET_ACCESS_KEY" made the
// engine send that file or variable to the caller as Git credentials; any fabric could name another
// fabric's aws-sm: secret; on Lambda env: reached the role's credentials; the secret name prefix the
// stack sets was never read. Now one policy (lib/secrets/policy.ts) refuses all of it at registration
// and again before anything is read.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createGitProvider } from "../../lib/git/index.js";
import { createSecretStore, SecretRefusedError } from "../../lib/secrets/index.js";
import { startSecretsManager, type SecretsManagerStandIn } from "../support/git-secrets-manager.js";
import { TempRepos } from "../support/git-repos.js";
import { fastRetryWiring } from "../support/local-stack.js";
import { captureOutput, startCaptureServer, startTestStack, storeFabricDirectly, syncAndWait, waitForRun, type CaptureServer, type TestStack } from "./support.js";

// The handlers log at DEBUG into a capture (the logger reads its level when first imported, hence
// hoisted): what the logs would hold is asserted, not shown.
vi.hoisted(() => {
  process.env.HH_GITOPS_LOG_LEVEL = "DEBUG";
});
const output = captureOutput();
afterAll(() => output.restore());

const WEBHOOK_SECRET = "webhook-secret-value-0123456789";
// What the Lambda role's credentials would be; the embedded DynamoDB and SQS accept any.
const ROLE_SECRET_KEY = "role-secret-access-key-9d2e";
const OUTSIDE_MARKER = "OUTSIDE-THE-SECRETS-FOLDER-4f1c";

describe("secret references of a fabric (local stack)", () => {
  let stack: TestStack;
  let capture: CaptureServer;
  let manager: SecretsManagerStandIn;
  const temp = new TempRepos();
  let outsideFile: string;

  beforeAll(async () => {
    capture = await startCaptureServer();
    manager = await startSecretsManager({ "hedgehog-gitops/victim/token": { string: "victim-token-value" } });
    stack = await startTestStack({ webhookSecret: WEBHOOK_SECRET, env: { HH_GITOPS_SECRETS_ENDPOINT: manager.endpoint, AWS_SECRET_ACCESS_KEY: ROLE_SECRET_KEY } });
    const dir = await temp.dir();
    outsideFile = join(dir, "not-a-secret.txt");
    writeFileSync(outsideFile, `${OUTSIDE_MARKER}\n`);
  });
  afterAll(async () => {
    await stack.close();
    await capture.close();
    await manager.close();
    await temp.removeAll();
  });

  const hostile = () => [
    "file:/etc/shadow",
    "file:/proc/self/environ",
    `file:${outsideFile}`,
    `file:${join(stack.dataDir, "secrets")}/../../${outsideFile}`,
    "env:HH_GITOPS_WEBHOOK_SECRET",
    "env:AWS_SECRET_ACCESS_KEY",
    "aws-sm:hedgehog-gitops/victim/token",
    "aws-sm:arn:aws:secretsmanager:us-east-1:123456789012:secret:hedgehog-gitops/victim/token-AbCdEf",
  ];

  it("refuses every reference outside the fabric's own at registration: 422 naming /git/credentials and the rule; nothing is sent", async () => {
    for (const [i, credentials] of hostile().entries()) {
      const res = await stack.api("/fabrics", {
        method: "POST",
        body: { name: `attacker-${i}`, git: { provider: "git", url: `${capture.url}/x.git`, credentials } },
      });
      expect(res.status, credentials).toBe(422);
      expect(res.body.errors, credentials).toEqual([{ pointer: "/git/credentials", message: expect.stringMatching(/HH_GITOPS_SECRET_<NAME>|under|this fabric/) }]);
      expect((await stack.api(`/fabrics/attacker-${i}`)).status).toBe(404);
    }
    expect(capture.requests).toEqual([]);
    expect(manager.calls).toEqual([]);
  });

  it("refuses them again when the table holds them anyway: the run fails terminally before any request, and holds no secret", async () => {
    const from = output.text().length;
    const runs: string[] = [];
    for (const [i, credentials] of hostile().entries()) {
      const id = `stored-${i}`;
      await storeFabricDirectly({ id, git: { provider: "git", url: `${capture.url}/x.git`, branch: "main", credentials, directory: "gitops/x" } });
      const run = await syncAndWait(stack, id);
      expect(run.status, credentials).toBe("failed");
      expect(run.error, credentials).toMatch(/SecretRefusedError: secret reference of fabric stored-\d+ refused/);
      const fabric = (await stack.api(`/fabrics/${id}`)).body;
      expect(fabric.directory.status, credentials).toBe("error");
      runs.push(JSON.stringify(run), JSON.stringify(fabric));
    }
    expect(capture.requests).toEqual([]);
    expect(manager.calls).toEqual([]);
    const logs = output.text().slice(from);
    expect(logs).toContain("SecretRefusedError");
    const recorded = [...runs, logs].join("\n");
    for (const secret of [WEBHOOK_SECRET, OUTSIDE_MARKER, "victim-token-value", ROLE_SECRET_KEY]) expect(recorded).not.toContain(secret);
  });

  it("accepts the fabric's own references: HH_GITOPS_SECRET_* variables and files in the data dir's secrets/", async () => {
    mkdirSync(join(stack.dataDir, "secrets"), { recursive: true });
    writeFileSync(join(stack.dataDir, "secrets", "token"), "own-token\n");
    // Its own API on loopback: the init run each registration starts stays on this machine.
    const api = await startCaptureServer();
    try {
      for (const [i, credentials] of ["env:HH_GITOPS_SECRET_FABRIC_TOKEN", `file:${join(stack.dataDir, "secrets", "token")}`, "aws-sm:hedgehog-gitops/own-2/token"].entries()) {
        const res = await stack.api("/fabrics", { method: "POST", body: { name: `own-${i}`, git: { provider: "github", owner: "acme", repo: "net", apiUrl: api.url, credentials } } });
        expect(res.status, credentials).toBe(201);
        await waitForRun(stack, `own-${i}`, res.body.initRun.runId);
      }
    } finally {
      await api.close();
    }
  });
});

describe("secret references in the cloud deployment (HH_GITOPS_DEPLOYMENT=cloud)", () => {
  let stack: TestStack;

  beforeAll(async () => {
    // No consumers: the init runs registrations start are queued, never run (they would call GitHub and AWS).
    stack = await startTestStack({ wiring: { ...fastRetryWiring, consumers: [] }, env: { HH_GITOPS_DEPLOYMENT: "cloud", HH_GITOPS_SECRET_NAME_PREFIX: "acme-prod/" } });
  });
  afterAll(async () => {
    await stack.close();
  });

  it("allows only aws-sm:<prefix>/<fabric>/<name>, with the prefix the stack sets", async () => {
    const register = (credentials: string) =>
      stack.api("/fabrics", { method: "POST", body: { name: "fabric-1", git: { provider: "github", owner: "acme", repo: "net", credentials } } });
    for (const credentials of ["env:HH_GITOPS_SECRET_TOKEN", "env:AWS_SECRET_ACCESS_KEY", "file:/var/task/token", "aws-sm:hedgehog-gitops/fabric-1/token", "aws-sm:acme-prod/fabric-2/token"]) {
      const res = await register(credentials);
      expect(res.status, credentials).toBe(422);
      expect(res.body.errors[0], credentials).toMatchObject({ pointer: "/git/credentials", message: expect.stringContaining("aws-sm:acme-prod/fabric-1/<name>") });
    }
    expect((await register("aws-sm:acme-prod/fabric-1/github-token")).status).toBe(201);
  });

  it("refuses an env: reference at resolution too, so the role's credentials are never read as a secret", async () => {
    const capture = await startCaptureServer();
    try {
      const secrets = createSecretStore({ policy: { deployment: "cloud", secretNamePrefix: "acme-prod", secretsDir: null }, env: { AWS_SECRET_ACCESS_KEY: "role-secret" } });
      const attempt = createGitProvider(
        { provider: "git", url: `${capture.url}/x.git`, branch: "main", credentials: "env:AWS_SECRET_ACCESS_KEY" },
        { secrets: secrets.forFabric("fabric-1"), hosts: { allowedHosts: ["127.0.0.1"], allowLoopback: true }, repoRoot: null },
      );
      await expect(attempt).rejects.toBeInstanceOf(SecretRefusedError);
      await expect(attempt).rejects.not.toThrow(/role-secret/);
      expect(capture.requests).toEqual([]);
    } finally {
      await capture.close();
    }
  });
});
