import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { GitSettings } from "../../../lib/fabrics/schema.js";
import { HEDGEHOG_COMMITTER } from "../../../lib/git/provider.js";
import {
  decidePush,
  deliveryDocument,
  deliveryHeaders,
  normalizeRepositoryUrl,
  parsePushEvent,
  WebhookPayloadInvalidError,
  WebhookRequestError,
  type PushEvent,
  type PushTarget,
} from "../../../lib/triggers/index.js";

const fixtureText = (name: string) => readFileSync(new URL(`../../fixtures/webhooks/${name}.json`, import.meta.url), "utf8");
const fixture = (name: string): PushEvent => parsePushEvent(JSON.parse(fixtureText(name)));

const github = (id: string, directory: string, extra: Partial<{ owner: string; repo: string; branch: string }> = {}): PushTarget => ({
  id,
  git: { provider: "github", owner: "acme", repo: "fabric", credentials: "env:T", branch: "main", directory, ...extra } as GitSettings,
});
const plainGit = (id: string, url: string, directory = "gitops/hedgehog/dc1"): PushTarget => ({
  id,
  git: { provider: "git", url, branch: "main", directory } as GitSettings,
});

const DC1 = github("dc1", "gitops/hedgehog/dc1");
const DC10 = github("dc10", "gitops/hedgehog/dc10");
const ELSEWHERE = github("elsewhere", "gitops/hedgehog/dc1", { repo: "other" });

describe("push decisions on GitHub's payloads", () => {
  it("runs the fabric whose directory a commit touched, and lists only fabrics of that repository", () => {
    expect(decidePush(fixture("push-directory"), [ELSEWHERE, DC10, DC1])).toEqual([
      { fabricId: "dc1", run: true, detail: "1 pushed file is under gitops/hedgehog/dc1/" },
      { fabricId: "dc10", run: false, reason: "directory", detail: "no pushed file is under gitops/hedgehog/dc10/" },
    ]);
  });

  it("ignores pushes to another branch, and tags", () => {
    expect(decidePush(fixture("push-other-branch"), [DC1])).toEqual([
      { fabricId: "dc1", run: false, reason: "branch", detail: "refs/heads/feature is not the fabric's branch refs/heads/main" },
    ]);
    expect(decidePush(fixture("push-tag"), [DC1])[0]).toMatchObject({ run: false, reason: "branch" });
    expect(decidePush(fixture("push-other-branch"), [github("f", "gitops/hedgehog/dc1", { branch: "feature" })])[0]).toMatchObject({ run: true });
  });

  it("ignores a push outside the directory; a longer sibling directory name is not inside", () => {
    expect(decidePush(fixture("push-outside-directory"), [DC1, DC10])).toEqual([
      { fabricId: "dc1", run: false, reason: "directory", detail: "no pushed file is under gitops/hedgehog/dc1/" },
      { fabricId: "dc10", run: true, detail: "1 pushed file is under gitops/hedgehog/dc10/" },
    ]);
  });

  it("ignores our own commits inside the directory (no loop)", () => {
    const push = fixture("push-own-commit");
    expect(push.commits[0]!.committer?.email).toBe(HEDGEHOG_COMMITTER.email);
    expect(decidePush(push, [DC1, DC10])).toEqual([
      { fabricId: "dc1", run: false, reason: "own-commit", detail: "every pushed commit is hedgehog-gitops's own, inside gitops/hedgehog/dc1/" },
      { fabricId: "dc10", run: false, reason: "directory", detail: "no pushed file is under gitops/hedgehog/dc10/" },
    ]);
  });

  it("runs when our commit comes with someone else's, or our commit reaches outside the directory", () => {
    const own = fixture("push-own-commit");
    const operator = fixture("push-directory").commits[0]!;
    expect(decidePush({ ...own, commits: [...own.commits, operator] }, [DC1])[0]).toMatchObject({ run: true });
    const wide = { ...own.commits[0]!, modified: ["README.md"] };
    expect(decidePush({ ...own, commits: [wide] }, [DC1])[0]).toMatchObject({ run: true });
  });

  it("takes the author for the committer when GitHub leaves the committer out", () => {
    const own = fixture("push-own-commit");
    const authorOnly = { ...own.commits[0]!, committer: null, author: { name: "x", email: HEDGEHOG_COMMITTER.email.toUpperCase() } };
    expect(decidePush({ ...own, commits: [authorOnly] }, [DC1])[0]).toMatchObject({ run: false, reason: "own-commit" });
    const operatorCommitter = { ...own.commits[0]!, committer: { name: "o", email: "operator@example.com" } };
    expect(decidePush({ ...own, commits: [operatorCommitter] }, [DC1])[0]).toMatchObject({ run: true });
  });

  it("ignores a branch deletion", () => {
    expect(decidePush(fixture("push-branch-deleted"), [DC1])).toEqual([
      { fabricId: "dc1", run: false, reason: "deleted", detail: "refs/heads/main was deleted" },
    ]);
  });

  it("runs when the payload cannot tell: a created branch, a forced push, no commits, truncated lists", () => {
    const outside = fixture("push-outside-directory");
    expect(decidePush(fixture("push-branch-created"), [DC1])[0]).toEqual({ fabricId: "dc1", run: true, detail: "the branch was created" });
    expect(decidePush({ ...outside, forced: true }, [DC1])[0]).toMatchObject({ run: true, detail: expect.stringContaining("forced") });
    expect(decidePush({ ...outside, commits: [] }, [DC1])[0]).toMatchObject({ run: true, detail: "the payload lists no commits" });
    const many = Array.from({ length: 2048 }, () => outside.commits[0]!);
    expect(decidePush({ ...outside, commits: many }, [DC1])[0]).toMatchObject({ run: true, detail: expect.stringContaining("2048") });
    const wide = { ...outside.commits[0]!, modified: Array.from({ length: 3000 }, (_, i) => `docs/${i}.md`) };
    expect(decidePush({ ...outside, commits: [wide] }, [DC1])[0]).toMatchObject({ run: true, detail: expect.stringContaining("3000") });
  });

  it("returns nothing when no fabric tracks the repository", () => {
    expect(decidePush(fixture("push-directory"), [ELSEWHERE])).toEqual([]);
    expect(decidePush(fixture("push-directory"), [])).toEqual([]);
  });
});

describe("repository matching", () => {
  it("matches a github fabric case-insensitively by full_name or owner.login/name", () => {
    const push = fixture("push-directory");
    expect(decidePush(push, [github("f", "gitops/hedgehog/dc1", { owner: "ACME", repo: "Fabric" })])).toHaveLength(1);
    const renamed = { ...push, repository: { ...push.repository, full_name: "someone/else" } };
    expect(decidePush(renamed, [DC1])).toHaveLength(1); // owner.login + name still say acme/fabric
  });

  it("matches a git fabric's URL against any of the payload's clone URLs", () => {
    const push = fixture("push-directory");
    for (const url of ["https://github.com/acme/fabric.git", "https://github.com/ACME/fabric", "http://token@github.com:443/acme/fabric/"]) {
      expect(decidePush(push, [plainGit("g", url)]), url).toHaveLength(1);
    }
    const sshOnly = { ...push, repository: { ...push.repository, clone_url: null, html_url: null, git_url: null } };
    expect(decidePush(sshOnly, [plainGit("g", "https://github.com/acme/fabric")])).toHaveLength(1);
    for (const url of ["https://github.com/acme/fabric-2.git", "https://gitlab.com/acme/fabric.git", "/srv/git/fabric.git"]) {
      expect(decidePush(push, [plainGit("g", url)]), url).toEqual([]);
    }
  });

  it("normalizes the spellings of one repository to host/path", () => {
    const same = [
      "https://github.com/Acme/Fabric.git",
      "http://user:pw@github.com:8080/acme/fabric/",
      "git@github.com:acme/fabric.git",
      "ssh://git@github.com:22/acme/fabric.git",
      "git://github.com/acme/fabric.git",
      "git+ssh://git@github.com/acme//fabric",
    ];
    for (const url of same) expect(normalizeRepositoryUrl(url), url).toBe("github.com/acme/fabric");
    for (const url of ["/srv/git/fabric.git", "file:///srv/git/fabric.git", "not a url", "https://github.com/"]) {
      expect(normalizeRepositoryUrl(url), url).toBeNull();
    }
  });
});

describe("delivery parsing", () => {
  it("tolerates GitHub's many fields it does not use, and keeps only those it does", () => {
    const raw = JSON.parse(fixtureText("push-directory"));
    const push = parsePushEvent({ ...raw, brand_new_field: { nested: true } });
    expect(Object.keys(push).sort()).toEqual(["after", "before", "commits", "created", "deleted", "forced", "ref", "repository"]);
    expect(parsePushEvent({ ...raw, commits: null }).commits).toEqual([]);
  });

  it("names each missing or malformed field it relies on", () => {
    const raw = JSON.parse(fixtureText("push-directory"));
    const { after: _after, ...noAfter } = raw;
    const error = (() => {
      try {
        parsePushEvent({ ...noAfter, ref: 7, repository: { ...raw.repository, full_name: undefined } });
      } catch (e) {
        return e as WebhookPayloadInvalidError;
      }
      throw new Error("accepted");
    })();
    expect(error).toBeInstanceOf(WebhookPayloadInvalidError);
    expect(error.problems.map((p) => p.pointer).sort()).toEqual(["/after", "/ref", "/repository/full_name"]);
  });

  it("reads the headers GitHub sends and refuses deliveries without them", () => {
    expect(deliveryHeaders({ "x-github-event": "push", "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958" })).toEqual({
      event: "push",
      delivery: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    });
    expect(() => deliveryHeaders({ "x-github-delivery": "d" })).toThrow(WebhookRequestError);
    expect(() => deliveryHeaders({ "x-github-event": "push" })).toThrow(/X-GitHub-Delivery/);
    expect(() => deliveryHeaders({ "x-github-event": "push", "x-github-delivery": "a#b" })).toThrow(/X-GitHub-Delivery/);
  });

  it("reads JSON bodies and form-encoded ones", () => {
    const text = fixtureText("push-directory");
    expect(deliveryDocument(text, "application/json")).toEqual(JSON.parse(text));
    const form = new URLSearchParams({ payload: text }).toString();
    expect(deliveryDocument(form, "application/x-www-form-urlencoded")).toEqual(JSON.parse(text));
    expect(() => deliveryDocument("{", "application/json")).toThrow(WebhookRequestError);
    expect(() => deliveryDocument("a=b", "application/x-www-form-urlencoded")).toThrow(/no payload field/);
  });
});
