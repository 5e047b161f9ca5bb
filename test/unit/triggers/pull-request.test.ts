// pull_request deliveries: our schema against GitHub's real payloads and published schema, and the
// pure decisions (action, base branch, provider, closed, changed files).
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decideChangedFiles, decidePullRequest, parsePullRequestEvent, pullRequestEventSchema, type PushTarget } from "../../../lib/triggers/index.js";
import { pullRequestPayload } from "../../support/pull-requests.js";

const require = createRequire(import.meta.url);
const examples = (require("@octokit/webhooks-examples") as { name: string; examples: Record<string, unknown>[] }[]).find((e) => e.name === "pull_request")!.examples;
const schemas = require("@octokit/webhooks-schemas") as { definitions: Record<string, { required?: string[]; properties?: Record<string, { required?: string[]; properties?: Record<string, { required?: string[] }> }> }> };

const fabric = (over: Partial<PushTarget["git"]> = {}, id = "dc1"): PushTarget => ({
  id,
  git: { provider: "github", owner: "acme", repo: "fabric", credentials: "env:HH_GITOPS_SECRET_X", branch: "main", directory: "gitops/hedgehog/dc1", ...over } as PushTarget["git"],
});
const event = (action: string, over: { baseRef?: string; state?: "open" | "closed" } = {}) =>
  parsePullRequestEvent(
    pullRequestPayload({ action: action as never, owner: "acme", repo: "fabric", number: 5, headSha: "b".repeat(40), headRef: "change", baseRef: over.baseRef ?? "main", ...(over.state ? { state: over.state } : {}) }),
  );

describe("the pull_request payload", () => {
  it("parses every pull_request example GitHub publishes (all actions)", () => {
    expect(examples.length).toBeGreaterThan(20);
    for (const example of examples) {
      const parsed = parsePullRequestEvent(example);
      expect(parsed.pull_request.head.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(parsed.repository.full_name).toBe("Codertocat/Hello-World");
    }
  });

  it("relies only on fields GitHub's schema requires in the deliveries that start checks", () => {
    const prDefinition = schemas.definitions["pull-request"]!;
    for (const name of ["opened", "synchronize", "reopened", "ready_for_review"].map((a) => `pull_request$${a}`)) {
      const definition = schemas.definitions[name]!;
      expect(definition.required, name).toEqual(expect.arrayContaining(Object.keys(pullRequestEventSchema.shape).filter((k) => k !== "pull_request").concat("pull_request")));
    }
    const used = Object.keys(pullRequestEventSchema.shape.pull_request.shape).filter((k) => !pullRequestEventSchema.shape.pull_request.shape[k as "draft"].isOptional());
    expect(prDefinition.required).toEqual(expect.arrayContaining(used));
    const head = prDefinition.properties!.head!;
    expect(head.required).toEqual(expect.arrayContaining(["ref", "sha", "repo"]));
  });

  it("refuses a payload without the head commit, naming the field", () => {
    const broken = pullRequestPayload({ action: "opened", owner: "acme", repo: "fabric", number: 5, headSha: "b".repeat(40), headRef: "change", baseRef: "main" }) as { pull_request: { head: { sha?: string } } };
    delete broken.pull_request.head.sha;
    expect(() => parsePullRequestEvent(broken)).toThrow(/\/pull_request\/head\/sha/);
  });
});

describe("which fabrics a pull request concerns", () => {
  it("checks opened, synchronize, reopened and ready_for_review into the fabric's branch, on the github provider", () => {
    for (const action of ["opened", "synchronize", "reopened", "ready_for_review"]) {
      expect(decidePullRequest(event(action), [fabric()]), action).toEqual([{ fabricId: "dc1", target: fabric(), candidate: true }]);
    }
  });

  it("says why not: another action, another base branch, another provider, closed; fabrics of other repositories are not mentioned", () => {
    const local = { ...fabric({}, "local"), git: { provider: "git", url: "https://github.com/acme/fabric.git", branch: "main", directory: "gitops/hedgehog/dc1" } } as PushTarget;
    const elsewhere = fabric({ repo: "other" } as never, "other");
    expect(decidePullRequest(event("labeled"), [fabric()])[0]).toMatchObject({ candidate: false, reason: "action" });
    expect(decidePullRequest(event("opened", { baseRef: "release" }), [fabric()])[0]).toMatchObject({ candidate: false, reason: "branch" });
    expect(decidePullRequest(event("opened"), [local])[0]).toMatchObject({ fabricId: "local", candidate: false, reason: "provider" });
    expect(decidePullRequest(event("reopened", { state: "closed" }), [fabric()])[0]).toMatchObject({ candidate: false, reason: "closed" });
    expect(decidePullRequest(event("opened"), [elsewhere])).toEqual([]);
  });

  it("runs when a changed file is under the directory (a prefix is not enough), or when GitHub's list stops short", () => {
    const git = { directory: "gitops/hedgehog/dc1" };
    expect(decideChangedFiles(git, { paths: ["README.md", "gitops/hedgehog/dc1/raw/a.yaml"], complete: true })).toEqual({ run: true, detail: "1 changed file is under gitops/hedgehog/dc1/" });
    expect(decideChangedFiles(git, { paths: ["gitops/hedgehog/dc10/raw/a.yaml"], complete: true })).toMatchObject({ run: false, reason: "directory" });
    expect(decideChangedFiles(git, { paths: ["docs/a.md"], complete: false })).toMatchObject({ run: true });
  });
});
