// The hh-gitops CLI as a user runs it: the package's real bin (its #! line, tsx loader and all) as a
// child process against the local stack, and `validate` offline.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, waitForRun, type TestStack } from "../support/local-stack.js";
import { git, seedRepository, type SeededRepository } from "../support/seed-repo.js";

const BIN = fileURLToPath(new URL("../../bin/hh-gitops.js", import.meta.url));
const DIR = "gitops/hedgehog/fabric-1";
const fixturePath = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const fixture = (name: string) => readFileSync(fixturePath(name), "utf8");

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("hh-gitops CLI against the local stack", () => {
  let stack: TestStack;
  let repo: SeededRepository;
  let scratch: string;

  /** Runs the bin itself (not `node bin/...`): the #! line must work. */
  const cli = (...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(BIN, args, { env: { PATH: process.env.PATH ?? "", HOME: tmpdir(), HH_GITOPS_URL: stack.url, HH_GITOPS_TOKEN: stack.token }, timeout: 120_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), "hh-cli-"));
    repo = seedRepository({
      [`${DIR}/raw/prepop.yaml`]: fixture("hedgehog/samples/vlab-wiring-prepop.yaml"),
      [`${DIR}/raw/test-vpc.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc.yaml"),
      [`${DIR}/raw/broken-vpc.yaml`]: fixture("pipeline/broken-vpc.yaml"),
    });
    stack = await startTestStack();
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: { name: "fabric-1", git: { provider: "git", url: repo.bare, directory: DIR, writeBack: "direct" }, cluster: { simulated: true }, sync: { mode: "apply" } },
    });
    expect(res.status).toBe(201);
    await waitForRun(stack, "fabric-1", res.body.initRun.runId);
  });
  afterAll(async () => {
    await stack?.close();
    repo?.cleanup();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("sync --wait prints each stage as plain lines off a terminal and exits 0 when the run succeeded", async () => {
    const r = await cli("sync", "fabric-1", "--wait");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run r\S+ (queued|running)$/m);
    expect(r.stdout).toMatch(/^ {2}ingest +succeeded .*resources=47/m);
    expect(r.stdout).toMatch(/^ {2}reconcile +succeeded .*applied=47 .*synced=47/m);
    expect(r.stdout).toMatch(/^ {2}rejected gitops\/hedgehog\/fabric-1\/raw\/broken-vpc\.yaml/m);
    // No terminal control sequences when stdout is not a terminal.
    expect(r.stdout).not.toContain("\x1b[");
  });

  it("sync --wait exits 1 when the run fails, with the reason", async () => {
    // The cluster refuses to list: a terminal failure of the reconcile stage.
    const fault = stack.kubeSim!.faults.inject({ match: { verb: "list" }, fault: { type: "status", code: 403, message: "forbidden by the test" } });
    try {
      const r = await cli("sync", "fabric-1", "--wait");
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^run r\S+ failed: .*403 forbidden by the test$/m);
      expect(r.stdout).toMatch(/^ {2}ingest +failed$/m);
    } finally {
      fault.cancel();
    }
  });

  it("plan shows the files it would commit, the objects it would apply with the fields that differ, and what it would prune", async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions(stack.kubeSim!.kubeconfigOptions());
    await kc
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject(
        { group: "wiring.githedgehog.com", version: "v1beta1", plural: "switches", namespace: "default", name: "leaf-01", body: { spec: { description: "changed by hand" } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    repo.push({ [`${DIR}/raw/vpc-2.yaml`]: fixture("hedgehog/samples/hnp-raw-test-vpc-2.yaml") }, "another vpc");
    const before = repo.head();
    const r = await cli("plan", "fabric-1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^plan r\S+ succeeded$/m);
    expect(r.stdout).toMatch(/^would commit 2 files:$/m);
    expect(r.stdout).toMatch(/^ {2}- gitops\/hedgehog\/fabric-1\/raw\/vpc-2\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}\+ gitops\/hedgehog\/fabric-1\/managed\/vpcs\/test-vpc-2\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}~ wiring\.githedgehog\.com\/Switch\/default\/leaf-01\n {6}\/spec\/description: "changed by hand" -> "VS-01 MCLAG 1"$/m);
    expect(r.stdout).toMatch(/^ {2}\+ vpc\.githedgehog\.com\/VPC\/default\/test-vpc-2$/m);
    expect(r.stdout).toMatch(/^would prune nothing$/m);
    // A plan writes nothing.
    expect(repo.head()).toBe(before);
  });

  it("lists resources with their attribution, as a table and as JSON", async () => {
    const table = await cli("resources", "fabric-1", "--kind", "vpc");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^KIND +NAME +STATE +ERROR +FILE +COMMIT$/m);
    expect(table.stdout).toMatch(/^VPC +default\/test-vpc +synced +gitops\/hedgehog\/fabric-1\/managed\/vpcs\/test-vpc\.yaml +[0-9a-f]{8}$/m);
    const json = await cli("--json", "resources", "fabric-1", "--kind", "vpc");
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ kind: "VPC", name: "test-vpc", state: "synced" })]);
  });

  it("status names what needs the operator and what the last ingest rejected", async () => {
    const r = await cli("status", "fabric-1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^resources \d+: /m);
    expect(r.stdout).toMatch(/gitops\/hedgehog\/fabric-1\/raw\/broken-vpc\.yaml:11: \[SCHEMA\] \/spec\/subnets\/default\/colour: unknown field "colour"/);
  });

  it("answers an unknown fabric with the API's problem and exit code 2", async () => {
    const r = await cli("status", "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: 404 Fabric not found/m);
  });

  it("validate, offline: a broken file prints file:line: [RULE] message and exits 1; a good one exits 0", async () => {
    const broken = join(scratch, "vpc.yaml");
    writeFileSync(broken, fixture("pipeline/broken-vpc.yaml"));
    const notYaml = join(scratch, "tab.yaml");
    writeFileSync(notYaml, "kind: VPC\nmetadata:\n\tname: x\n");
    const bad = await cli("--url", "http://127.0.0.1:9", "validate", broken, notYaml);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split("\n")).toContain(`${broken}:11: [SCHEMA] /spec/subnets/default/colour: unknown field "colour"`);
    expect(bad.stdout).toMatch(new RegExp(`^${notYaml.replace(/[.]/g, "\\.")}:3: \\[PARSE\\] `, "m"));
    expect(bad.stderr).toMatch(/2 files: 2 errors/);
    const good = await cli("validate", fixturePath("hedgehog/samples/vlab-wiring-prepop.yaml"), fixturePath("hedgehog/samples/hnp-raw-test-vpc.yaml"));
    // The wiring's switches lack what the installer fills in: warnings, not errors.
    expect(good.stdout.split("\n").filter((l) => l !== "" && !l.includes(": warning: ["))).toEqual([]);
    expect(good.stdout).toContain("warning: [SW-103]");
    expect(good.code).toBe(0);
  });

  it("drafts lists a draft made through the API, publish --wait prints the commit it landed, adopt --wait writes a cluster-only object into Git", async () => {
    const vpc = (name: string, n: number) => ({
      apiVersion: "vpc.githedgehog.com/v1beta1",
      kind: "VPC",
      metadata: { name, namespace: "default" },
      spec: { subnets: { web: { subnet: `10.0.${n}.0/24`, gateway: `10.0.${n}.1`, vlan: 1000 + n } } },
    });
    expect((await cli("drafts", "fabric-1")).stdout).toBe("no drafts\n");
    const saved = await stack.api("/fabrics/fabric-1/resources/vpcs/vpc-9", { method: "PUT", body: vpc("vpc-9", 9) });
    expect(saved.status).toBe(201);

    const drafts = await cli("drafts", "fabric-1");
    expect(drafts.code).toBe(0);
    expect(drafts.stdout).toMatch(/^VPC\s+default\/vpc-9\s+put\s+gitops\/hedgehog\/fabric-1\/managed\/vpcs\/vpc-9\.yaml\s+new\s+-\s+local\s*$/m);
    expect(drafts.stdout).toMatch(/^1 draft; publish them with: hh-gitops publish fabric-1 --wait$/m);
    const listed = await cli("drafts", "fabric-1", "--json");
    expect(JSON.parse(listed.stdout)).toMatchObject({ total: 1, items: [{ kind: "VPC", name: "vpc-9", operation: "put" }] });

    const published = await cli("publish", "fabric-1", "--wait");
    expect(published.stderr).toBe("");
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/^run r\S+ \w+: a commit on branch main$/m);
    expect(published.stdout).toMatch(/^run r\S+ succeeded$/m);
    expect(published.stdout).toMatch(/^ {2}create gitops\/hedgehog\/fabric-1\/managed\/vpcs\/vpc-9\.yaml$/m);
    const commit = /^commit ([0-9a-f]{40}) on main$/m.exec(published.stdout)?.[1];
    expect(commit).toBeDefined();
    expect(git(repo.bare, "log", "-1", "--format=%s", commit!).trim()).toMatch(/^hedgehog-gitops: /);
    expect(git(repo.bare, "show", `${commit!}:${DIR}/managed/vpcs/vpc-9.yaml`)).toContain("name: vpc-9");
    expect((await cli("drafts", "fabric-1")).stdout).toBe("no drafts\n");
    expect((await stack.api("/fabrics/fabric-1/resources/vpcs/vpc-9")).body.state).toBe("synced");

    // An object made by hand in the cluster: cluster-only after a sync, then adopted into Git.
    const kc = new KubeConfig();
    kc.loadFromOptions(stack.kubeSim!.kubeconfigOptions());
    await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: "vpc.githedgehog.com", version: "v1beta1", namespace: "default", plural: "vpcs", body: vpc("handmade-1", 19) });
    expect((await cli("sync", "fabric-1", "--wait")).code).toBe(0);
    expect((await stack.api("/fabrics/fabric-1/resources/vpcs/handmade-1")).body.state).toBe("orphaned");
    expect((await cli("adopt", "fabric-1", "VPC/default/not-there")).code).toBe(2);
    const adopted = await cli("adopt", "fabric-1", "VPC/default/handmade-1", "--wait");
    expect(adopted.stderr).toBe("");
    expect(adopted.code).toBe(0);
    const adoptCommit = /^commit ([0-9a-f]{40}) on main$/m.exec(adopted.stdout)?.[1];
    expect(adoptCommit).toBeDefined();
    expect(adopted.stdout).toMatch(/^ {2}create gitops\/hedgehog\/fabric-1\/managed\/vpcs\/handmade-1\.yaml$/m);
    expect(git(repo.bare, "show", `${adoptCommit!}:${DIR}/managed/vpcs/handmade-1.yaml`)).toContain("name: handmade-1");
    expect((await stack.api("/fabrics/fabric-1/resources/vpcs/handmade-1")).body.state).toBe("synced");
  });

  it("has --help for every command", async () => {
    const top = await cli("--help");
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== "help");
    expect(commands).toEqual(expect.arrayContaining(["fabrics", "status", "sync", "plan", "resources", "drift", "runs", "cancel", "validate", "drafts", "publish", "adopt"]));
    const helps = await Promise.all(commands.map((c) => cli(c, "--help")));
    for (const [i, h] of helps.entries()) {
      expect(h.code, commands[i]).toBe(0);
      expect(h.stdout, commands[i]).toMatch(new RegExp(`^Usage: hh-gitops ${commands[i]}`, "m"));
    }
  });
});
