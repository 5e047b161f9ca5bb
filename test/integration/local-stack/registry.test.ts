import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepos } from "../../support/git-repos.js";
import { startTestStack, waitForIdle, type TestStack } from "../../support/local-stack.js";

// Local repositories must be bare repositories under the repository root (DESIGN §14); the test stack's
// root is os.tmpdir(), where TempRepos makes them.
const repos = new TempRepos();
let fabricRepo = "";
let otherRepo = "";
beforeAll(async () => {
  fabricRepo = await repos.bare("main", undefined, "fabric.git");
  otherRepo = await repos.bare("main", undefined, "x.git");
});
afterAll(() => repos.removeAll());

const body = (name = "fabric-1") => ({
  name,
  git: { provider: "git", url: fabricRepo, branch: "main", directory: `gitops/hedgehog/${name}` },
  cluster: null,
  sync: { mode: "observe", prune: false, intervalMinutes: 5, keepOriginals: false },
});

describe("fabric registry over HTTP", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack.close();
  });

  it("registers a fabric (201, Location, ETag) with directory status not_initialized", async () => {
    const res = await stack.api("/fabrics", { method: "POST", body: body() });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe("/fabrics/fabric-1");
    expect(res.headers.get("etag")).toBe('"1"');
    expect(res.body).toMatchObject({
      id: "fabric-1",
      git: { provider: "git", url: fabricRepo, branch: "main", directory: "gitops/hedgehog/fabric-1" },
      cluster: null,
      sync: { mode: "observe", prune: false, intervalMinutes: 5, keepOriginals: false, suspended: false },
      directory: { status: "not_initialized", error: null, lastInitAt: null },
      version: 1,
    });
  });

  it("applies defaults: branch main, directory gitops/hedgehog/<name>, observe mode", async () => {
    const res = await stack.api("/fabrics", { method: "POST", body: { name: "minimal", git: { provider: "git", url: otherRepo } } });
    expect(res.status).toBe(201);
    expect(res.body.git).toEqual({ provider: "git", url: otherRepo, branch: "main", directory: "gitops/hedgehog/minimal" });
    expect(res.body.sync.mode).toBe("observe");
    expect(res.body.cluster).toBeNull();
  });

  it("accepts a github fabric with a secret reference and a simulated cluster", async () => {
    const res = await stack.api("/fabrics", {
      method: "POST",
      body: {
        name: "gh",
        git: { provider: "github", owner: "acme", repo: "fabric", apiUrl: "http://127.0.0.1:9/api", credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN" },
        cluster: { simulated: true },
      },
    });
    expect(res.status).toBe(201);
    expect(res.body.git).toMatchObject({ owner: "acme", repo: "fabric", credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" });
  });

  it("lists and gets fabrics", async () => {
    const list = await stack.api("/fabrics");
    expect(list.status).toBe(200);
    expect(list.body.items.map((f: { id: string }) => f.id).sort()).toEqual(["fabric-1", "gh", "minimal"]);
    const one = await stack.api("/fabrics/fabric-1");
    expect(one.status).toBe(200);
    expect(one.body.name).toBe("fabric-1");
  });

  it("rejects a duplicate name with 409", async () => {
    const res = await stack.api("/fabrics", { method: "POST", body: body() });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.body.detail).toBe('fabric "fabric-1" already exists');
  });

  it.each([
    ["an unknown top-level key", { ...body("a1"), extra: true }, "/extra", "unknown field"],
    ["an unknown nested key", { ...body("a2"), sync: { mode: "observe", cadence: 1 } }, "/sync/cadence", "unknown field"],
    ["a name that is not a DNS label", body("Fabric_1"), "/name", "must be a DNS label"],
    ["a name over 63 characters", body("a".repeat(64)), "/name", "must be a DNS label"],
    ["a relative repository path", { ...body("a3"), git: { provider: "git", url: "repo.git" } }, "/git/url", "absolute path"],
    ["a directory with ..", { ...body("a4"), git: { provider: "git", url: "/r.git", directory: "a/../b" } }, "/git/directory", ". or .."],
    ["a directory with a .git segment", { ...body("a4"), git: { provider: "git", url: "/r.git", directory: "a/.GIT/b" } }, "/git/directory", ".git segment"],
    ["a repository outside the repository root", { ...body("a4"), git: { provider: "git", url: "/srv/git/fabric.git" } }, "/git/url", "HH_GITOPS_REPO_ROOT"],
    ["a kubeconfig path", { ...body("a4"), cluster: { kubeconfig: "/root/.kube/config" } }, "/cluster/kubeconfig", "secret reference"],
    ["an env: reference to a variable of the server", { ...body("a4"), git: { provider: "github", owner: "o", repo: "r", credentials: "env:AWS_SECRET_ACCESS_KEY" } }, "/git/credentials", "HH_GITOPS_SECRET_"],
    ["an unknown provider", { ...body("a5"), git: { provider: "gitlab", url: "/r.git" } }, "/git/provider", ""],
    ["github without credentials", { ...body("a6"), git: { provider: "github", owner: "o", repo: "r" } }, "/git/credentials", ""],
    ["a credentials value that is not a secret reference", { ...body("a7"), git: { provider: "github", owner: "o", repo: "r", credentials: "ghp_abc" } }, "/git/credentials", "secret reference"],
    ["a wrong mode", { ...body("a8"), sync: { mode: "enforce" } }, "/sync/mode", ""],
    ["a zero interval", { ...body("a9"), sync: { intervalMinutes: 0 } }, "/sync/intervalMinutes", ""],
    ["a cluster namespace other than default", { ...body("b1"), cluster: { kubeconfig: "/k", namespace: "fab" } }, "/cluster", ""],
    ["a missing git block", { name: "b2" }, "/git", ""],
  ])("rejects %s with 422 naming the field", async (_what, payload, pointer, message) => {
    const res = await stack.api("/fabrics", { method: "POST", body: payload });
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const fields = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(fields.some((p: string) => p.startsWith(pointer))).toBe(true);
    expect(res.body.detail).toContain(pointer);
    expect(res.body.detail).toContain(message);
  });

  it("rejects a body that is not JSON with 400", async () => {
    const res = await stack.api("/fabrics", { method: "POST", body: "{name: fabric" });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/not valid JSON/);
    const empty = await stack.api("/fabrics", { method: "POST" });
    expect(empty.status).toBe(400);
  });

  it("answers 401 without or with a wrong bearer token, and stores nothing", async () => {
    expect((await stack.api("/fabrics", { auth: false })).status).toBe(401);
    const wrong = await stack.api("/fabrics", { method: "POST", body: body("sneaky"), headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toBe("Bearer");
    expect((await stack.api("/fabrics/sneaky")).status).toBe(404);
  });

  it("serves /health and /openapi.json without a token", async () => {
    expect((await stack.api("/health", { auth: false })).body).toEqual({ status: "ok" });
    const doc = await stack.api("/openapi.json", { auth: false });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe("3.1.0");
    const body = doc.body.paths["/fabrics"].post.requestBody.content["application/json"].schema;
    expect(body).toEqual({ $ref: "#/components/schemas/FabricInput" });
    const schema = doc.body.components.schemas.FabricInput;
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(["name", "git", "cluster", "sync", "hedgehog"]);
  });

  it("answers 404 for an unknown fabric and an unknown route", async () => {
    const res = await stack.api("/fabrics/nope");
    expect(res.status).toBe(404);
    expect(res.body.detail).toBe('fabric "nope" does not exist');
    expect((await stack.api("/nowhere")).status).toBe(404);
  });

  it("answers problem+json everywhere: 404 for an unknown route, 405 with Allow for a wrong method", async () => {
    const unknown = await stack.api("/nowhere/at/all");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect(unknown.body).toMatchObject({ status: 404, title: "Not found" });
    const wrong = await stack.api("/fabrics/fabric-1/status", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET");
    expect(wrong.headers.get("content-type")).toBe("application/problem+json");
    const fabrics = await stack.api("/fabrics", { method: "PUT", body: {} });
    expect(fabrics.status).toBe(405);
    expect(fabrics.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "POST"]);
  });

  it("titles a bad query or path as such, and refuses limits outside 1-500", async () => {
    for (const limit of ["abc", "0", "-1", "501", "1.5"]) {
      const res = await stack.api(`/fabrics/fabric-1/resources?limit=${limit}`);
      expect(res.status, limit).toBe(422);
      expect(res.body.title, limit).toBe("Invalid query parameter");
      expect(res.body.errors[0].pointer, limit).toBe("query:/limit");
    }
    expect((await stack.api("/fabrics/fabric-1/runs?limit=0")).status).toBe(422);
    const unknownParameter = await stack.api("/fabrics/fabric-1/resources?colour=red");
    expect(unknownParameter.status).toBe(422);
    expect(unknownParameter.body.title).toBe("Invalid query parameter");
    const badCursor = await stack.api("/fabrics/fabric-1/resources?cursor=not-a-cursor");
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.title).toBe("Malformed query parameter");
    const unknownKind = await stack.api("/fabrics/fabric-1/resources/gadgets/x");
    expect(unknownKind.status).toBe(422);
    expect(unknownKind.body.title).toBe("Invalid path parameter");
    const ok = await stack.api("/fabrics/fabric-1/resources?limit=1");
    expect(ok.status).toBe(200);
    expect(ok.body.items.length).toBeLessThanOrEqual(1);
  });

  it("takes no unknown keys in a POST body", async () => {
    const forced = await stack.api("/fabrics/fabric-1/sync", { method: "POST", body: { force: true } });
    expect(forced.status).toBe(422);
    expect(forced.body.title).toBe("Invalid request body");
    expect(forced.body.errors).toEqual([{ pointer: "/force", message: "unknown field" }]);
  });

  it("patches sync partially without resetting other fields, bumping the version", async () => {
    await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { mode: "apply" } } });
    const res = await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { prune: true } } });
    expect(res.status).toBe(200);
    expect(res.body.sync).toMatchObject({ mode: "apply", prune: true, intervalMinutes: 5 });
    expect(res.body.version).toBe(3);
    expect(res.headers.get("etag")).toBe('"3"');
  });

  it("rejects a PATCH with unknown keys, an empty patch, or a name change", async () => {
    expect((await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { modes: "x" } } })).status).toBe(422);
    expect((await stack.api("/fabrics/fabric-1", { method: "PATCH", body: {} })).status).toBe(422);
    expect((await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { name: "other" } })).status).toBe(422);
    expect((await stack.api("/fabrics/nope", { method: "PATCH", body: { sync: { prune: true } } })).status).toBe(404);
  });

  it("answers 412 to a stale If-Match and 409 to a concurrent update", async () => {
    const stale = await stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { prune: false } }, headers: { "if-match": '"1"' } });
    expect(stale.status).toBe(412);
    // Twenty concurrent writers all read the same version: exactly one wins each round, the rest get 409.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stack.api("/fabrics/fabric-1", { method: "PATCH", body: { sync: { intervalMinutes: 10 + i } } })),
    );
    const codes = results.map((r) => r.status);
    expect(codes.every((c) => c === 200 || c === 409)).toBe(true);
    expect(codes.filter((c) => c === 409).length).toBeGreaterThan(0);
    const winners = results.filter((r) => r.status === 200).map((r) => r.body.version);
    expect(new Set(winners).size).toBe(winners.length);
    const final = await stack.api("/fabrics/fabric-1");
    expect(final.body.version).toBe(3 + winners.length);
  });

  it("deletes a fabric (204), then 404", async () => {
    await waitForIdle(stack, "minimal");
    expect((await stack.api("/fabrics/minimal", { method: "DELETE" })).status).toBe(204);
    expect((await stack.api("/fabrics/minimal")).status).toBe(404);
    expect((await stack.api("/fabrics/minimal", { method: "DELETE" })).status).toBe(404);
  });
});

describe("local stack persistence", () => {
  it("keeps fabrics across a restart with the same data dir", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hh-data-"));
    try {
      const first = await startTestStack({ dynamoDbPath: join(dir, "dynamodb") });
      expect((await first.api("/fabrics", { method: "POST", body: body("persisted") })).status).toBe(201);
      await first.close();
      const second = await startTestStack({ dynamoDbPath: join(dir, "dynamodb") });
      try {
        const res = await second.api("/fabrics/persisted");
        expect(res.status).toBe(200);
        expect(res.body.git.url).toBe(fabricRepo);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
