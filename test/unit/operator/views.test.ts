// How the console and the CLI read API answers: what exists today, and the shapes DESIGN §9 announces
// (bounded lists, rejections per file, progress, plan fields), each tolerated when absent.
import { describe, expect, it } from "vitest";
import { attention, findingLine, gitLinks, isActiveRun, listed, rollup, runChanges, runRejections, runStages, writeBackResult } from "../../../lib/operator/views.js";
import { RunProgress, type Out } from "../../../cli/output.js";

describe("operator views", () => {
  it("reads plain arrays and bounded lists alike", () => {
    expect(listed(["a", "b"])).toEqual({ items: ["a", "b"], total: 2 });
    expect(listed({ items: ["a"], total: 120 })).toEqual({ items: ["a"], total: 120 });
    expect(listed(undefined)).toEqual({ items: [], total: 0 });
  });

  it("orders stages as runs go through them and reads progress when there is some", () => {
    const run = { chain: ["ingest", "reconcile"], stages: { reconcile: { status: "pending" }, ingest: { status: "running", counts: { files: 2 }, progress: { done: 2, total: 5 } } } };
    expect(runStages(run).map((s) => [s.name, s.status, s.progress])).toEqual([
      ["ingest", "running", { done: 2, total: 5 }],
      ["reconcile", "pending", null],
    ]);
    expect(isActiveRun({ status: "waiting" })).toBe(true);
    expect(isActiveRun({ status: "cancelled" })).toBe(false);
  });

  it("reads rejections grouped by file or flat, and falls back to the ingest stage's sources", () => {
    const grouped = runRejections({ rejections: { items: [{ file: "raw/a.yaml", documents: [{ index: 1, line: 7, rule: "VPC-114", message: "m" }] }], total: 1 } });
    expect(grouped.items).toEqual([{ file: "raw/a.yaml", index: 1, line: 7, kind: null, name: null, path: null, rule: "VPC-114", message: "m" }]);
    const flat = runRejections({ stages: { ingest: { detail: { rejections: [{ file: "raw/b.yaml", line: 3, path: "/spec/x", rule: "SCHEMA", message: "n" }] } } } });
    expect(flat.items[0]).toMatchObject({ file: "raw/b.yaml", line: 3, path: "/spec/x", rule: "SCHEMA" });
    const today = runRejections({ stages: { ingest: { detail: { sources: [{ path: "raw/c.yaml", outcomes: { managed: 1, unmanaged: 0, error: 2 }, fileError: null }, { path: "raw/d.yaml", outcomes: {}, fileError: "not YAML" }] } } } });
    expect(today.items.map((r) => [r.file, r.message])).toEqual([
      ["raw/c.yaml", "2 documents rejected (reasons in raw/errors/ next to the file)"],
      ["raw/d.yaml", "not YAML"],
    ]);
  });

  it("reads the API's rejections: files rejected whole as a line each, documents left out of a list counted", () => {
    const rejections = {
      runId: "r1",
      items: [
        { file: "raw/a.yaml", fileError: null, documents: { items: [{ index: 0, line: 4, kind: "VPC", name: "v", path: "/spec/x", rule: "SCHEMA", severity: "error", message: "m" }], total: 60 } },
        { file: "raw/b.yaml", fileError: "not YAML", documents: { items: [], total: 0 } },
      ],
      total: 2,
      documents: 60,
    };
    const r = runRejections({ rejections });
    expect(r.items.map((x) => [x.file, x.index, x.message])).toEqual([
      ["raw/a.yaml", 0, "m"],
      ["raw/b.yaml", null, "not YAML"],
    ]);
    expect(r.total).toBe(61);
    expect(runRejections({ rejections: null, stages: {} })).toEqual({ items: [], total: 0 });
  });

  it("reads the lists of resources that need the operator, by name", () => {
    const status = {
      attention: {
        errors: { items: [{ kind: "VPC", namespace: "default", name: "a", state: "synced", error: "unknown field" }], total: 3 },
        drifted: { items: [], total: 0 },
      },
    };
    expect(attention(status)).toEqual({
      errors: { items: [{ kind: "VPC", namespace: "default", name: "a", state: "synced", error: "unknown field" }], total: 3 },
      drifted: { items: [], total: 0 },
    });
    expect(attention({ counts: {} })).toEqual({});
  });

  it("reads a plan's would-be changes and the fields it records", () => {
    const plan = {
      kind: "plan",
      dryRun: true,
      stages: {
        ingest: { detail: { wouldCommit: [{ path: "m/a.yaml", action: "write" }] } },
        reconcile: { detail: { wouldApply: { items: ["g/VPC/default/a"], total: 3 }, wouldPrune: [], wouldChangeFields: { "g/VPC/default/a": { fields: [{ path: "/spec/x", desired: 1, live: 2 }], total: 1 } } } },
      },
    };
    const c = runChanges(plan);
    expect(c.commit.items).toEqual([{ path: "m/a.yaml", action: "write" }]);
    expect(c.apply).toEqual({ items: ["g/VPC/default/a"], total: 3 });
    expect(c.fields["g/VPC/default/a"]).toEqual({ fields: [{ path: "/spec/x", desired: 1, live: 2 }], total: 1 });
    expect(c.fieldsRecorded).toBe(true);
    expect(runChanges({ stages: {} }).fieldsRecorded).toBe(false);
  });

  it("counts by state, and by kind only when the API gives it", () => {
    expect(rollup({ counts: { total: 3, byState: { synced: 2, drifted: 1, orphaned: 0 }, errors: 1 } })).toMatchObject({ total: 3, byState: { synced: 2, drifted: 1 }, errors: 1, byKind: null });
    expect(rollup({ counts: { byKind: { VPC: 2 } } }).byKind).toEqual({ VPC: 2 });
  });

  it("links to github.com, or to a GitHub Enterprise host from its API URL; none for other providers", () => {
    expect(gitLinks({ git: { provider: "github", owner: "acme", repo: "net" } })?.file("abc", "a b/c.yaml")).toBe("https://github.com/acme/net/blob/abc/a%20b/c.yaml");
    expect(gitLinks({ git: { provider: "github", owner: "acme", repo: "net", apiUrl: "https://ghe.example.com/api/v3" } })?.commit("abc")).toBe("https://ghe.example.com/acme/net/commit/abc");
    expect(gitLinks({ git: { provider: "git", url: "/tmp/x.git" } })).toBeNull();
  });

  it("prints findings as a compiler does", () => {
    expect(findingLine({ file: "a.yaml", line: 4, rule: "VPC-114", severity: "error", path: "/spec/vlan", message: "too big" })).toBe("a.yaml:4: [VPC-114] /spec/vlan: too big");
    expect(findingLine({ file: "a.yaml", line: 1, rule: "PARSE", severity: "error", path: "", message: "bad" })).toBe("a.yaml:1: [PARSE] bad");
  });

  it("reads what a publish or adopt run wrote back: the commit, the branch, the pull request, the files, in the order the run went", () => {
    const publish = {
      kind: "publish",
      chain: ["publish", "ingest", "reconcile"],
      stages: {
        reconcile: { status: "succeeded" },
        ingest: { status: "succeeded", detail: { commit: "b".repeat(40), changes: [] } },
        publish: {
          status: "succeeded",
          detail: {
            writeBack: "pull-request",
            commit: "a".repeat(40),
            branch: "hedgehog-gitops/drafts-r1",
            pullRequest: { number: 7, url: "https://github.example/o/r/pull/7" },
            changes: { items: [{ action: "new", path: "m/vpcs/a.yaml", id: "VPC/default/a", by: "local" }, { action: "deleted", path: "m/vpcs/b.yaml", id: "VPC/default/b", by: "local" }], total: 3 },
          },
        },
      },
    };
    expect(runStages(publish).map((s) => s.name)).toEqual(["publish", "ingest", "reconcile"]);
    expect(writeBackResult(publish)).toEqual({
      stage: "publish",
      status: "succeeded",
      mode: "pull-request",
      commit: "a".repeat(40),
      branch: "hedgehog-gitops/drafts-r1",
      pullRequest: { number: 7, url: "https://github.example/o/r/pull/7" },
      files: { items: [{ path: "m/vpcs/a.yaml", action: "create" }, { path: "m/vpcs/b.yaml", action: "delete" }], total: 3 },
      note: null,
    });
    expect(runChanges(publish).commit.items.map((f) => f.path)).toEqual(["m/vpcs/a.yaml", "m/vpcs/b.yaml"]);
    const adopt = { kind: "adopt", stages: { adopt: { status: "succeeded", detail: { writeBack: "direct", commit: null, branch: "main", pullRequest: null, adopted: [], note: "nothing to adopt" } } } };
    expect(writeBackResult(adopt)).toMatchObject({ stage: "adopt", mode: "direct", commit: null, pullRequest: null, files: { items: [], total: 0 }, note: "nothing to adopt" });
    expect(writeBackResult({ kind: "sync", stages: { ingest: { status: "succeeded" } } })).toBeNull();
  });
});

describe("run progress output", () => {
  const capture = (tty: boolean) => {
    const written: string[] = [];
    const out: Out = { json: false, tty, write: (s) => written.push(s), error: () => undefined };
    return { written, progress: new RunProgress(out) };
  };
  const run = (ingest: string, done: number) => ({ runId: "r1", status: "running", chain: ["ingest"], stages: { ingest: { status: ingest, progress: { done, total: 4 } } } });

  it("redraws in place on a terminal", () => {
    const { written, progress } = capture(true);
    progress.update(run("running", 1));
    progress.update(run("running", 2));
    expect(written[0]).toBe("run r1 running\n  ingest    running 1/4\n");
    expect(written[1]).toBe("\x1b[2A\x1b[J");
    expect(written[2]).toBe("run r1 running\n  ingest    running 2/4\n");
  });

  it("appends a line per change otherwise, and nothing when nothing changed", () => {
    const { written, progress } = capture(false);
    progress.update(run("running", 1));
    progress.update(run("running", 1));
    progress.update(run("succeeded", 4));
    expect(written.join("")).toBe("run r1 running\n  ingest    running 1/4\n  ingest    succeeded 4/4\n");
  });

});
