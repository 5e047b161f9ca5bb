// Finding: cluster.kubeconfig could name any readable file; the YAML loader's error put up to six lines
// of it into the run record, and the errors told which paths exist. Now the kubeconfig is a secret
// reference only; load errors say "not a valid kubeconfig (cluster.kubeconfig)" and name fields, never
// content; a kubeconfig may not run commands or read files; its server must be on the allow-list.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TempRepos } from "../support/git-repos.js";
import { kubeconfigYaml } from "../../infra/local/kube-sim/index.js";
import { captureOutput, startCaptureServer, startTestStack, syncAndWait, waitForRun, type CaptureServer, type TestStack } from "./support.js";

// The handlers log at DEBUG here (the logger reads its level when first imported, hence hoisted), into
// a capture: what the logs would hold is asserted, not shown.
vi.hoisted(() => {
  process.env.HH_GITOPS_LOG_LEVEL = "DEBUG";
});

const MARKER = "SENSITIVE-LINE-b8e0";
// What /etc/shadow or a private key file looks like to a YAML loader: not YAML.
const NOT_YAML = `root:$6$${MARKER}$abc:19000:0:99999:7:::\n\t${MARKER}: [unclosed\n  - ${MARKER}\n`;
// What /etc/passwd looks like: valid YAML (one string), not a kubeconfig.
const PASSWD = `root:x:0:0:${MARKER}:/root:/bin/bash\n`;

describe("kubeconfigs (local stack)", () => {
  let stack: TestStack;
  let attacker: CaptureServer;
  const repos = new TempRepos();
  let secretsDir: string;
  let count = 0;
  let output: ReturnType<typeof captureOutput>;

  beforeAll(async () => {
    output = captureOutput();
    attacker = await startCaptureServer("127.0.0.2");
    stack = await startTestStack();
    secretsDir = join(stack.dataDir, "secrets");
  });
  afterAll(async () => {
    output.restore();
    await stack.close();
    await attacker.close();
    await repos.removeAll();
  });

  /** Registers a fabric whose kubeconfig secret holds `content` and syncs it; returns the run and what was logged meanwhile. */
  async function syncWithKubeconfig(content: string): Promise<{ run: Awaited<ReturnType<typeof syncAndWait>>; logs: string }> {
    const name = `k-${++count}`;
    writeFileSync(join(secretsDir, name), content);
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name, git: { provider: "git", url: await repos.bare() }, cluster: { kubeconfig: `file:${join(secretsDir, name)}` } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, name, res.body.initRun.runId);
    const from = output.text().length;
    const run = await syncAndWait(stack, name);
    return { run, logs: output.text().slice(from) };
  }

  it("is a secret reference, never a path: 422 naming /cluster/kubeconfig", async () => {
    for (const kubeconfig of ["/etc/passwd", "/root/.kube/config", "~/.kube/config", "file:/etc/passwd"]) {
      const res = await stack.api("/fabrics", { method: "POST", body: { name: "kube-path", git: { provider: "git", url: await repos.bare() }, cluster: { kubeconfig } } });
      expect(res.status, kubeconfig).toBe(422);
      expect(res.body.errors.map((e: { pointer: string }) => e.pointer), kubeconfig).toContain("/cluster/kubeconfig");
    }
  });

  it("says 'not a valid kubeconfig (cluster.kubeconfig)' without a line of the content, in the run record and the logs", async () => {
    for (const [content, why] of [
      [NOT_YAML, "not YAML"],
      [PASSWD, "not a YAML mapping"],
    ] as const) {
      const { run, logs } = await syncWithKubeconfig(content);
      expect(run.status).toBe("failed");
      expect(run.error).toBe(`ingest: ClusterConfigError: not a valid kubeconfig (cluster.kubeconfig): ${why}`);
      expect(logs).toContain("not a valid kubeconfig");
      expect(JSON.stringify(run)).not.toContain(MARKER);
      expect(logs).not.toContain(MARKER);
    }
  });

  it("runs no command and reads no file a kubeconfig names", async () => {
    const ran = join(stack.dataDir, "exec-ran");
    const exec = kubeconfigYaml({ server: stack.kubeSim!.url, token: "t" }).replace(
      /user:\n(\s+)token: t/,
      `user:\n$1exec:\n$1  apiVersion: client.authentication.k8s.io/v1\n$1  command: /bin/sh\n$1  args: ["-c", "touch ${ran}"]`,
    );
    expect(exec).toContain("command: /bin/sh");
    const { run } = await syncWithKubeconfig(exec);
    expect(run.error).toBe("ingest: ClusterConfigError: not a valid kubeconfig (cluster.kubeconfig): users[0].user.exec is not allowed (no command is run; use token or client-certificate-data)");
    expect(existsSync(ran)).toBe(false);

    const tokenFile = kubeconfigYaml({ server: stack.kubeSim!.url, token: "t" }).replace(/token: t/, "tokenFile: /etc/shadow");
    expect((await syncWithKubeconfig(tokenFile)).run.error).toMatch(/users\[0\]\.user\.tokenFile is not allowed/);
  });

  it("connects only to a server on the allow-list: another host is refused before any request", async () => {
    const { run, logs } = await syncWithKubeconfig(kubeconfigYaml({ server: attacker.url, token: `token-${MARKER}` }));
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/ingest: HostNotAllowedError: the kubeconfig's server \(cluster\.kubeconfig\) refused: the URL uses plain http to host 127\.0\.0\.2/);
    expect(attacker.requests).toEqual([]);
    expect(JSON.stringify(run) + logs).not.toContain(MARKER);
  });
});
