// Write-back of drafts end to end on the local stack (issue #14, DESIGN §15), through the git provider
// (a local bare repository) and the github provider (the simulated GitHub): drafts made, refused with
// ingest's findings, listed and discarded; published as one commit (direct) or a pull request that
// nothing lands from until it is merged (then the push webhook's sync applies it); a draft whose file
// changed in Git refused with 409 naming the commit.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { waitForIdle, waitForRun, type TestStack } from "../support/local-stack.js";
import { git, type SeededRepository } from "../support/seed-repo.js";
import { ATTACHMENTS, VPCS, vpc, writeBackEnvironment, type WriteBackEnvironment } from "../support/write-back-env.js";

// Many runs and cluster reads per test: a few seconds alone, much longer on 2 loaded cores (the whole suite).
vi.setConfig({ testTimeout: 180_000 });

const DIR = "gitops/hedgehog/wb";
type Environment = WriteBackEnvironment;
const environment = writeBackEnvironment;

describe.each(["git", "github"] as const)("drafts, publish and conflicts (%s provider)", (provider) => {
  let env: Environment;
  let repo: SeededRepository;

  const fabric = (id: string) => `/fabrics/${id}`;
  const put: Environment["put"] = (...args) => env.put(...args);
  const resource: Environment["resource"] = (...args) => env.resource(...args);
  const live: Environment["live"] = (...args) => env.live(...args);
  const sync: Environment["sync"] = (id) => env.sync(id);
  let stack: TestStack;

  beforeAll(async () => {
    env = await environment(provider);
    stack = env.stack;
  });
  afterAll(async () => {
    await env?.close();
  });

  it("direct: three drafts (new, changed, deleted) and a refused one; one commit with the three files; the sync applies it and the drafts are gone", async () => {
    const made = await env.fabric("direct", "direct");
    repo = made.repo;
    const directory = made.directory;
    const first = await sync("direct");
    expect(first.status).toBe("succeeded");
    expect((await resource("direct", "vpcattachments", "test-vpc--server-03")).state).toBe("synced");

    // A new VPC, as YAML.
    const created = await put("direct", "/resources/vpcs/vpc-new", vpc("vpc-new", 5));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ state: "draft", draft: { operation: "put", kind: "VPC", name: "vpc-new", path: `${directory}/managed/vpcs/vpc-new.yaml`, baseBlobSha: null, actor: "local" } });
    // An edited VPC, as JSON, then changed again (still one draft, still based on the same blob).
    const original = await resource("direct", "vpcs", "test-vpc-2");
    const edited = { apiVersion: "vpc.githedgehog.com/v1beta1", kind: "VPC", metadata: { name: "test-vpc-2" }, spec: { subnets: { "test-subnet": { subnet: "10.0.2.0/24", gateway: "10.0.2.1", vlan: 1011 } } } };
    expect((await put("direct", "/resources/vpcs/test-vpc-2", JSON.stringify(edited), "application/json")).status).toBe(201);
    edited.spec.subnets["test-subnet"].vlan = 1012;
    const again = await put("direct", "/resources/vpcs/test-vpc-2", JSON.stringify(edited), "application/json");
    expect(again.status).toBe(200);
    expect(again.body.draft).toMatchObject({ basePath: `${directory}/managed/vpcs/test-vpc-2.yaml`, baseBlobSha: original.attribution.gitBlobSha });
    // Removing test-vpc is refused while an attachment names it; the attachment's removal is a draft.
    const stillNeeded = await stack.api(`${fabric("direct")}/resources/vpcs/test-vpc`, { method: "DELETE" });
    expect(stillNeeded.status).toBe(422);
    expect(stillNeeded.body.findings).toContainEqual(expect.objectContaining({ file: `${directory}/managed/vpcattachments/test-vpc--server-03.yaml`, severity: "error", rule: expect.any(String) }));
    const removal = await stack.api(`${fabric("direct")}/resources/vpcattachments/test-vpc--server-03`, { method: "DELETE" });
    expect(removal.status).toBe(201);
    expect(removal.body.draft).toMatchObject({ operation: "delete", path: `${directory}/managed/vpcattachments/test-vpc--server-03.yaml` });

    // A VPC whose subnet overlaps test-vpc's is refused with the finding ingest would write for it.
    const refused = await put("direct", "/resources/vpcs/vpc-bad", vpc("vpc-bad", 1, 1099));
    expect(refused.status).toBe(422);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.body.title).toBe("Draft refused");
    expect(refused.body.findings).toEqual([expect.objectContaining({ file: "request", index: 0, line: expect.any(Number), kind: "VPC", name: "vpc-bad", severity: "error", rule: expect.stringMatching(/^VPC-/) })]);
    expect(refused.body.errors[0].message).toMatch(/^request:\d+: \[VPC-/);
    // What the URL names must be what the body holds; the body must be YAML or JSON.
    expect((await put("direct", "/resources/vpcs/other-name", vpc("vpc-new", 5))).status).toBe(422);
    expect((await put("direct", "/resources/vpcs/vpc-new", vpc("vpc-new", 5), "text/plain")).status).toBe(415);
    // Validate answers the same findings and stores nothing.
    const validated = await stack.api(`${fabric("direct")}/validate`, { method: "POST", body: vpc("vpc-bad", 1, 1099), headers: { "content-type": "application/yaml" } });
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ valid: false, documents: [{ index: 0, kind: "VPC", name: "vpc-bad", outcome: "error", path: null }] });
    expect(validated.body.findings.map((f: { rule: string }) => f.rule)).toEqual(refused.body.findings.map((f: { rule: string }) => f.rule));

    const drafts = (await stack.api(`${fabric("direct")}/drafts`)).body;
    expect(drafts.total).toBe(3);
    expect(drafts.items.map((d: { name: string; operation: string }) => `${d.operation} ${d.name}`).sort()).toEqual(["delete test-vpc--server-03", "put test-vpc-2", "put vpc-new"]);
    for (const [kind, name] of [["vpcs", "vpc-new"], ["vpcs", "test-vpc-2"], ["vpcattachments", "test-vpc--server-03"]] as const) expect((await resource("direct", kind, name)).state).toBe("draft");
    // A sync meanwhile changes nothing of the drafts: Git and the cluster still hold what they held.
    const meanwhile = await sync("direct");
    expect(meanwhile.stages.reconcile.counts).toMatchObject({ applied: 0, pruned: 0 });
    expect(live(VPCS, "test-vpc-2")?.spec.subnets["test-subnet"]!.vlan).toBe(1002);
    expect((await resource("direct", "vpcs", "vpc-new")).state).toBe("draft");

    const head = repo.head();
    const publish = await stack.api(`${fabric("direct")}/drafts/publish`, { method: "POST", body: {} });
    expect(publish.status).toBe(202);
    expect(publish.body).toMatchObject({ writeBack: "direct", branch: "main", drafts: 3, location: `/fabrics/direct/runs/${publish.body.runId}` });
    const run = await waitForRun(stack, "direct", publish.body.runId);
    expect(run).toMatchObject({ status: "succeeded", kind: "publish", actors: ["local"], chain: ["publish", "ingest", "reconcile"] });
    const commit = run.stages.publish.detail.commit as string;
    expect(run.stages.publish.counts).toMatchObject({ published: 3, new: 1, changed: 1, deleted: 1, files: 3 });
    // One commit on the branch, with the three files, naming what changed and who asked.
    expect(repo.head()).toBe(commit);
    expect(git(repo.bare, "rev-parse", `${commit}^`).trim()).toBe(head);
    expect(git(repo.bare, "diff", "--name-status", head, commit).trim().split("\n").sort()).toEqual(
      [`A\t${directory}/managed/vpcs/vpc-new.yaml`, `D\t${directory}/managed/vpcattachments/test-vpc--server-03.yaml`, `M\t${directory}/managed/vpcs/test-vpc-2.yaml`].sort(),
    );
    const message = git(repo.bare, "log", "-1", "--format=%B", commit);
    expect(message).toMatch(new RegExp(`^hedgehog-gitops: publish 3 drafts to ${directory}\\n\\n1 new, 1 changed, 1 deleted; requested by local\\n`));
    expect(message).toContain(`new     ${directory}/managed/vpcs/vpc-new.yaml (VPC default/vpc-new, draft by local)`);
    // Normalized exactly as ingest writes it.
    expect(repo.show(`${directory}/managed/vpcs/vpc-new.yaml`)).toBe(repo.show(`${directory}/managed/vpcs/test-vpc.yaml`).replace(/test-vpc/g, "vpc-new").replace(/10\.0\.1\./g, "10.0.5.").replace("1001", "1005"));
    // The same run synced it: applied, attributed to the commit, the drafts gone.
    for (const name of ["vpc-new", "test-vpc-2"]) {
      expect(await resource("direct", "vpcs", name)).toMatchObject({ state: "synced", fromGit: true, attribution: { source: "git", gitCommitSha: commit } });
    }
    expect(live(VPCS, "vpc-new")).toBeTruthy();
    expect(live(VPCS, "test-vpc-2")?.spec.subnets["test-subnet"]!.vlan).toBe(1012);
    expect(live(ATTACHMENTS, "test-vpc--server-03")).toBeUndefined();
    // Pruned: gone, its history still answered.
    expect((await stack.api(`${fabric("direct")}/resources/vpcattachments/test-vpc--server-03`)).status).toBe(410);
    expect(run.stages.ingest.counts).toMatchObject({ drafts: 3, draftsLanded: 3 });
    expect((await stack.api(`${fabric("direct")}/drafts`)).body).toEqual({ items: [], total: 0 });
    expect((await stack.api(`${fabric("direct")}/drafts/publish`, { method: "POST" })).status).toBe(409);
  });

  it("a draft whose file changed in Git since is a 409 naming the commit; discarded, the resource is as Git has it", async () => {
    const directory = `${DIR}-direct`;
    const edited = vpc("test-vpc", 1, 1021);
    expect((await put("direct", "/resources/vpcs/test-vpc", edited)).status).toBe(201);
    const before = repo.head();
    repo.push({ [`${directory}/managed/vpcs/test-vpc.yaml`]: repo.show(`${directory}/managed/vpcs/test-vpc.yaml`).replace("1001", "1031") }, "someone edits test-vpc in Git");
    const theirs = repo.head();
    const refused = await stack.api(`${fabric("direct")}/drafts/publish`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect(refused.body.title).toBe("Draft conflict");
    expect(refused.body.detail).toContain(theirs);
    expect(refused.body.conflicts).toEqual([
      expect.objectContaining({ kind: "VPC", name: "test-vpc", path: `${directory}/managed/vpcs/test-vpc.yaml`, commit: expect.objectContaining({ sha: theirs, subject: "someone edits test-vpc in Git" }) }),
    ]);
    expect(repo.head()).toBe(theirs);
    expect(before).not.toBe(theirs);

    const discarded = await stack.api(`${fabric("direct")}/drafts/vpcs/test-vpc`, { method: "DELETE" });
    expect(discarded.status).toBe(200);
    expect(discarded.body).toMatchObject({ discarded: { name: "test-vpc", operation: "put" }, state: "committed" });
    expect((await stack.api(`${fabric("direct")}/drafts/vpcs/test-vpc`, { method: "DELETE" })).status).toBe(404);
    const run = await sync("direct");
    expect(run.status).toBe("succeeded");
    expect(await resource("direct", "vpcs", "test-vpc")).toMatchObject({ state: "synced", attribution: { gitCommitSha: theirs } });
    expect(live(VPCS, "test-vpc")?.spec.subnets["test-subnet"]!.vlan).toBe(1031);
  });
});

describe.each(["git", "github"] as const)("publish as a pull request (%s provider)", (provider) => {
  let env: Environment;
  const fabric = (id: string) => `/fabrics/${id}`;

  beforeAll(async () => {
    env = await environment(provider);
  });
  afterAll(async () => {
    await env?.close();
  });

  it("pull-request: nothing lands on the branch until the pull request (or, on a plain Git remote, the branch) is merged; then the sync applies it", async () => {
    const { stack, github, put, resource, live, sync } = env;
    const { repo: prRepo, directory } = await env.fabric("review", "pull-request");
    await sync("review");
    expect((await put("review", "/resources/vpcs/vpc-new", vpc("vpc-new", 5))).status).toBe(201);
    expect((await put("review", "/resources/vpcs/test-vpc-2", vpc("test-vpc-2", 2, 1012))).status).toBe(201);
    expect((await stack.api(`${fabric("review")}/resources/vpcattachments/test-vpc--server-03`, { method: "DELETE" })).status).toBe(201);
    const head = prRepo.head();
    const publish = await stack.api(`${fabric("review")}/drafts/publish`, { method: "POST", body: {} });
    expect(publish.status).toBe(202);
    const branch = `hedgehog-gitops/drafts-${publish.body.runId}`;
    expect(publish.body).toMatchObject({ writeBack: "pull-request", branch });
    const run = await waitForRun(stack, "review", publish.body.runId);
    expect(run.status).toBe("succeeded");
    const detail = run.stages.publish.detail;
    expect(detail).toMatchObject({ writeBack: "pull-request", branch });
    // Nothing changed on the fabric's branch; the three changes wait on their own.
    expect(prRepo.head()).toBe(head);
    expect(git(prRepo.bare, "diff", "--name-only", head, branch).trim().split("\n").sort()).toEqual(
      [`${directory}/managed/vpcattachments/test-vpc--server-03.yaml`, `${directory}/managed/vpcs/test-vpc-2.yaml`, `${directory}/managed/vpcs/vpc-new.yaml`].sort(),
    );
    expect((await resource("review", "vpcs", "vpc-new")).state).toBe("draft");
    expect(live(VPCS, "vpc-new")).toBeUndefined();
    const drafts = (await stack.api(`${fabric("review")}/drafts`)).body.items;
    expect(drafts.every((d: { publishedIn: { branch: string } }) => d.publishedIn.branch === branch)).toBe(true);

    if (!github) {
      // A plain Git remote has no pull requests: the branch is the answer; merging it is the operator's.
      expect(detail.pullRequest).toBeNull();
      git(prRepo.bare, "update-ref", "refs/heads/main", branch, head);
      await sync("review");
    } else {
      expect(detail.pullRequest).toEqual({ number: 1, url: `${github.url}/acme/review/pull/1` });
      const pull = await env.githubCall("review", "GET", "/pulls/1");
      expect(pull.body).toMatchObject({ state: "open", title: "hedgehog-gitops: publish 3 drafts to " + directory, changed_files: 3, head: { ref: branch }, base: { ref: "main" } });
      expect(pull.body.body).toContain(`- new     ${directory}/managed/vpcs/vpc-new.yaml (VPC default/vpc-new, draft by local)`);
      const merged = await env.githubCall("review", "PUT", "/pulls/1/merge", {});
      expect(merged.status).toBe(200);
      expect(prRepo.head()).toBe(merged.body.sha);
      // GitHub's push webhook of the merge starts the sync.
      await waitForRun(stack, "review", await env.deliverPush("review", prRepo, head, merged.body.sha));
    }
    await waitForIdle(stack, "review");
    const merge = prRepo.head();
    expect(await resource("review", "vpcs", "vpc-new")).toMatchObject({ state: "synced", fromGit: true, attribution: { gitCommitSha: merge } });
    expect((await resource("review", "vpcs", "test-vpc-2")).state).toBe("synced");
    expect(live(VPCS, "vpc-new")).toBeTruthy();
    expect((await stack.api(`${fabric("review")}/drafts`)).body.total).toBe(0);
  });
});
