// The simulated GitHub answers as GitHub documents it: every REST route it serves, on success and on
// the failures it produces, is checked against GitHub's published description (@octokit/openapi).
// A new route must be added here (the last test fails otherwise).
import { generateKeyPairSync } from "node:crypto";
import { createAppAuth } from "@octokit/auth-app";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGitHubSim, type GitHubSim } from "../../../infra/local/github-sim/index.js";
import { assertMatchesGitHubOpenApi, gitHubPathTemplate } from "../../support/github-openapi.js";
import { branchSha, gitIn, TempRepos } from "../../support/git-repos.js";

const TOKEN = "ghp_openapi_check_token";
const repos = new TempRepos();
const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
let sim: GitHubSim;
let limited: GitHubSim;
let head: string;
const checked = new Set<string>();

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

async function call(target: GitHubSim, method: string, path: string, body?: unknown, auth = `token ${TOKEN}`): Promise<Answer> {
  const response = await fetch(`${target.url}${path}`, {
    method,
    redirect: "manual",
    headers: { authorization: auth, accept: "application/vnd.github+json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
}

/** Checks the last request the simulator logged (its route) against GitHub's description. */
async function check(target: GitHubSim, method: string, path: string, expectedStatus: number, body?: unknown, auth?: string): Promise<Answer> {
  const answer = await call(target, method, path, body, auth);
  expect(answer.status).toBe(expectedStatus);
  assertMatchesGitHubOpenApi(method, path.split("?")[0] as string, answer.status, answer.body);
  // GitHub sends its rate limit on every API answer.
  expect(answer.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
  const logged = target.requests.at(-1);
  checked.add(`${logged?.method} ${logged?.route}`);
  return answer;
}

beforeAll(async () => {
  sim = await startGitHubSim({ token: TOKEN, apps: [{ appId: 31, publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(), installationId: 7 }] });
  // Nothing may create content here: every write answers GitHub's secondary-limit 403.
  limited = await startGitHubSim({ token: TOKEN, limits: { contentCreationPerMinute: 0 } });
  const gitdir = await repos.bare("main");
  head = await repos.seed(gitdir, "main", { "fab/a.yaml": "a: 1\n", "README.md": "hello\n" });
  sim.addRepository({ owner: "acme", repo: "net", gitdir });
  limited.addRepository({ owner: "acme", repo: "net", gitdir });
  sim.addRepository({ owner: "acme", repo: "empty", gitdir: await repos.bare("main") });
});
afterAll(async () => {
  await sim.close();
  await limited.close();
  await repos.removeAll();
});

describe("simulated GitHub against GitHub's REST description", () => {
  it("repository, refs, trees, blobs and commits: success answers", async () => {
    await check(sim, "GET", "/repos/acme/net", 200);
    const ref = await check(sim, "GET", "/repos/acme/net/git/ref/heads/main", 200);
    expect((ref.body as { object: { sha: string } }).object.sha).toBe(head);
    const commit = (await check(sim, "GET", `/repos/acme/net/git/commits/${head}`, 200)).body as { tree: { sha: string } };
    const listing = (await check(sim, "GET", `/repos/acme/net/git/trees/${commit.tree.sha}?recursive=1`, 200)).body as { tree: { path: string; sha: string }[] };
    const blobSha = listing.tree.find((item) => item.path === "fab/a.yaml")?.sha as string;
    await check(sim, "GET", `/repos/acme/net/git/blobs/${blobSha}`, 200);
    const blob = (await check(sim, "POST", "/repos/acme/net/git/blobs", 201, { content: "AAEC", encoding: "base64" })).body as { sha: string };
    const tree = (await check(sim, "POST", "/repos/acme/net/git/trees", 201, {
      base_tree: commit.tree.sha,
      tree: [
        { path: "fab/b.bin", mode: "100644", type: "blob", sha: blob.sha },
        { path: "fab/c.yaml", mode: "100644", type: "blob", content: "c: 3\n" },
      ],
    })).body as { sha: string };
    const made = (await check(sim, "POST", "/repos/acme/net/git/commits", 201, {
      message: "more",
      tree: tree.sha,
      parents: [head],
      author: { name: "A", email: "a@example.com", date: "2024-05-01T12:00:00Z" },
    })).body as { sha: string };
    await check(sim, "POST", "/repos/acme/net/git/refs", 201, { ref: "refs/heads/side", sha: head });
    await check(sim, "PATCH", "/repos/acme/net/git/refs/heads/side", 200, { sha: made.sha, force: false });
    await check(sim, "GET", `/repos/acme/net/tarball/${made.sha}`, 302);
  });

  it("the contents API: creating a file (on an empty repository) and replacing it", async () => {
    const created = (await check(sim, "PUT", "/repos/acme/empty/contents/fab/first.yaml", 201, { message: "first", content: "YTogMQo=", branch: "main" })).body as {
      content: { sha: string };
    };
    await check(sim, "PUT", "/repos/acme/empty/contents/fab/first.yaml", 200, { message: "again", content: "YTogMgo=", branch: "main", sha: created.content.sha });
    await check(sim, "PUT", "/repos/acme/empty/contents/fab/first.yaml", 409, { message: "stale", content: "YTogMwo=", branch: "main", sha: created.content.sha });
  });

  it("GitHub App installation tokens and the rate-limit status", async () => {
    const jwt = (await createAppAuth({ appId: 31, privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() })({ type: "app" })).token;
    await check(sim, "POST", "/app/installations/7/access_tokens", 201, undefined, `bearer ${jwt}`);
    await check(sim, "POST", "/app/installations/7/access_tokens", 401, undefined, "bearer not-a-jwt");
    const status = (await check(sim, "GET", "/rate_limit", 200)).body as { resources: { core: { used: number } } };
    expect(status.resources.core.used).toBeGreaterThan(0);
  });

  it("pull requests, check runs (GitHub Apps only) with their annotations, commit statuses", async () => {
    const gitdir = await repos.bare("main");
    const base = await repos.seed(gitdir, "main", { "fab/a.yaml": "a: 1\n", "fab/old.yaml": "o: 1\n", "README.md": "hello\n" });
    await gitIn(gitdir, ["branch", "change", base]);
    const prHead = await repos.seed(gitdir, "change", { "fab/a.yaml": "a: 2\n", "fab/new.yaml": "n: 1\n", "fab/renamed.yaml": "o: 1\n", "README.md": "hello\n" });
    sim.addRepository({ owner: "acme", repo: "prs", gitdir });
    const number = sim.feedback.openPullRequest({ owner: "acme", repo: "prs", head: "change", base: "main", title: "Change a" });
    const pr = (await check(sim, "GET", `/repos/acme/prs/pulls/${number}`, 200)).body as { head: { sha: string }; base: { ref: string }; changed_files: number };
    expect(pr).toMatchObject({ head: { sha: prHead }, base: { ref: "main" }, changed_files: 3 });
    const files = (await check(sim, "GET", `/repos/acme/prs/pulls/${number}/files?per_page=100`, 200)).body as { filename: string; status: string; previous_filename?: string }[];
    expect(files.map((f) => [f.filename, f.status, f.previous_filename ?? null])).toEqual([
      ["fab/a.yaml", "modified", null],
      ["fab/new.yaml", "added", null],
      ["fab/renamed.yaml", "renamed", "fab/old.yaml"],
    ]);
    await check(sim, "GET", "/repos/acme/prs/pulls/99", 404);

    const jwt = (await createAppAuth({ appId: 31, privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() })({ type: "app" })).token;
    const installation = ((await call(sim, "POST", "/app/installations/7/access_tokens", undefined, `bearer ${jwt}`)).body as { token: string }).token;
    const app = `token ${installation}`;
    const annotation = (line: number) => ({ path: "fab/a.yaml", start_line: line, end_line: line, annotation_level: "failure", title: "VPC-114", message: "overlaps" });
    const created = (await check(sim, "POST", "/repos/acme/prs/check-runs", 201, {
      name: "hedgehog-gitops / dc1",
      head_sha: prHead,
      external_id: "r1",
      status: "in_progress",
      output: { title: "t", summary: "s", annotations: [annotation(1), annotation(2)] },
    }, app)).body as { id: number; status: string };
    expect(created.status).toBe("in_progress");
    const done = (await check(sim, "PATCH", `/repos/acme/prs/check-runs/${created.id}`, 200, {
      status: "completed",
      conclusion: "failure",
      output: { title: "t", summary: "s", annotations: [annotation(3)] },
    }, app)).body as { conclusion: string; output: { annotations_count: number } };
    expect(done).toMatchObject({ conclusion: "failure", output: { annotations_count: 3 } });
    const listed = (await check(sim, "GET", `/repos/acme/prs/commits/${prHead}/check-runs?check_name=${encodeURIComponent("hedgehog-gitops / dc1")}`, 200)).body as { total_count: number };
    expect(listed.total_count).toBe(1);
    const annotations = (await check(sim, "GET", `/repos/acme/prs/check-runs/${created.id}/annotations?per_page=100`, 200)).body as { start_line: number }[];
    expect(annotations.map((a) => a.start_line)).toEqual([1, 2, 3]);
    expect(sim.feedback.checkRuns.at(-1)?.annotationBatches).toEqual([2, 1]);

    // Only a GitHub App writes check runs; at most 50 annotations per request (GitHub documents neither answer's status for this operation).
    const byToken = await call(sim, "POST", "/repos/acme/prs/check-runs", { name: "x", head_sha: prHead, status: "completed", conclusion: "success" });
    expect(byToken.status).toBe(403);
    expect(byToken.body).toMatchObject({ message: "You must authenticate via a GitHub App." });
    const tooMany = await call(sim, "POST", "/repos/acme/prs/check-runs", { name: "x", head_sha: prHead, output: { title: "t", summary: "s", annotations: Array.from({ length: 51 }, (_, i) => annotation(i + 1)) } }, app);
    expect(tooMany.status).toBe(422);

    const status = (await check(sim, "POST", `/repos/acme/prs/statuses/${prHead}`, 201, { state: "failure", context: "hedgehog-gitops / dc1", description: "2 errors", target_url: "http://127.0.0.1/#/x" })).body as { state: string };
    expect(status.state).toBe("failure");
    const statuses = (await check(sim, "GET", `/repos/acme/prs/commits/${prHead}/statuses`, 200)).body as { context: string }[];
    expect(statuses.map((s) => s.context)).toEqual(["hedgehog-gitops / dc1"]);
  });

  it("failures: not found, empty repository, invalid requests, conflicts", async () => {
    await check(sim, "GET", "/repos/acme/nowhere", 404);
    await check(sim, "GET", "/repos/acme/net/git/ref/heads/nowhere", 404);
    await check(sim, "GET", "/repos/acme/net/git/blobs/0123456789012345678901234567890123456789", 404);
    await check(sim, "GET", "/repos/acme/net/git/commits/0123456789012345678901234567890123456789", 404);
    await check(sim, "GET", "/repos/acme/net/git/trees/0123456789012345678901234567890123456789", 404);
    const empty = await startGitHubSim({ token: TOKEN });
    try {
      empty.addRepository({ owner: "acme", repo: "void", gitdir: await repos.bare("main") });
      await check(empty, "GET", "/repos/acme/void/git/ref/heads/main", 409);
      await check(empty, "POST", "/repos/acme/void/git/trees", 409, { tree: [{ path: "a", mode: "100644", type: "blob", content: "a" }] });
    } finally {
      await empty.close();
    }
    await check(sim, "POST", "/repos/acme/net/git/trees", 422, { tree: [{ path: "../escape", mode: "100644", type: "blob", content: "x" }] });
    await check(sim, "POST", "/repos/acme/net/git/commits", 422, { message: "m", tree: "0123456789012345678901234567890123456789", parents: [] });
    await check(sim, "POST", "/repos/acme/net/git/refs", 422, { ref: "refs/heads/main", sha: head });
    await check(sim, "PATCH", "/repos/acme/net/git/refs/heads/main", 422, { sha: "0123456789012345678901234567890123456789" });
  });

  it("pull requests (create, list, get, merge) and the commits that touched a path", async () => {
    const seeded = await repos.bare("main");
    const base = await repos.seed(seeded, "main", { "fab/a.yaml": "a: 1\n" });
    sim.addRepository({ owner: "acme", repo: "pulls", gitdir: seeded });
    // A branch with one commit changing a file, made through the API as the provider makes it.
    const baseTree = ((await call(sim, "GET", `/repos/acme/pulls/git/commits/${base}`)).body as { tree: { sha: string } }).tree.sha;
    const tree = ((await call(sim, "POST", "/repos/acme/pulls/git/trees", { base_tree: baseTree, tree: [{ path: "fab/a.yaml", mode: "100644", type: "blob", content: "a: 2\n" }] })).body as { sha: string }).sha;
    const change = ((await call(sim, "POST", "/repos/acme/pulls/git/commits", { message: "change a", tree, parents: [base] })).body as { sha: string }).sha;
    await call(sim, "POST", "/repos/acme/pulls/git/refs", { ref: "refs/heads/drafts-1", sha: change });

    const created = (await check(sim, "POST", "/repos/acme/pulls/pulls", 201, { title: "Publish", head: "drafts-1", base: "main", body: "- fab/a.yaml" })).body as { number: number; changed_files: number; head: { sha: string } };
    expect(created).toMatchObject({ number: 1, changed_files: 1, head: { sha: change } });
    const again = (await check(sim, "POST", "/repos/acme/pulls/pulls", 422, { title: "Publish", head: "drafts-1", base: "main" })).body as { errors: { message: string }[] };
    expect(again.errors[0]!.message).toMatch(/already exists for acme:drafts-1/);
    await check(sim, "POST", "/repos/acme/pulls/pulls", 422, { title: "Nothing", head: "main", base: "main" });
    const listed = (await check(sim, "GET", "/repos/acme/pulls/pulls?head=acme:drafts-1&state=open", 200)).body as { number: number }[];
    expect(listed.map((p) => p.number)).toEqual([1]);
    await check(sim, "GET", "/repos/acme/pulls/pulls/1", 200);
    await check(sim, "GET", "/repos/acme/pulls/pulls/9", 404);
    await check(sim, "PUT", "/repos/acme/pulls/pulls/1/merge", 409, { sha: base });
    const merged = (await check(sim, "PUT", "/repos/acme/pulls/pulls/1/merge", 200, {})).body as { sha: string; merged: boolean };
    expect(merged.merged).toBe(true);
    expect(await branchSha(seeded, "main")).toBe(merged.sha);
    await check(sim, "PUT", "/repos/acme/pulls/pulls/1/merge", 405, {});
    expect((await check(sim, "GET", "/repos/acme/pulls/pulls/1", 200)).body).toMatchObject({ state: "closed", merged: true, merge_commit_sha: merged.sha });

    const history = (await check(sim, "GET", `/repos/acme/pulls/commits?sha=${merged.sha}&path=fab/a.yaml&per_page=1`, 200)).body as { sha: string }[];
    // Like `git log -- path`: the merge changed nothing its second parent had not.
    expect(history.map((c) => c.sha)).toEqual([change]);
    await check(sim, "GET", "/repos/acme/pulls/commits?sha=0123456789012345678901234567890123456789", 404);
  });

  it("GitHub's secondary rate limit: 403 with retry-after on a content-creating request", async () => {
    const answer = await check(limited, "POST", "/repos/acme/net/git/blobs", 403, { content: "x" });
    expect(answer.body).toMatchObject({ message: expect.stringMatching(/^You have exceeded a secondary rate limit/) });
    expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.requests.at(-1)?.limited).toBe("content-per-minute");
    // Reads are not content-creating and still go through.
    await check(limited, "GET", "/repos/acme/net/git/ref/heads/main", 200);
  });

  it("covered every REST route the simulator serves", () => {
    const rest = sim.routes.filter((route) => route.route !== "/graphql").map((route) => `${route.method} ${route.route}`);
    expect([...checked].filter((route) => rest.includes(route)).sort()).toEqual([...rest].sort());
    for (const route of sim.routes.filter((r) => r.route !== "/graphql")) expect(gitHubPathTemplate(route.route), route.route).toBeDefined();
  });
});
