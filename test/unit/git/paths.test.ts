import { describe, expect, it } from "vitest";
import { prepareChanges, prepareCommit } from "../../../lib/git/changes.js";
import { InvalidChangeError, InvalidGitSettingsError } from "../../../lib/git/errors.js";
import { assertBranchName, directoryProblem, isInDirectory, normalizeDirectory, pathProblem } from "../../../lib/git/paths.js";
import { HEDGEHOG_COMMITTER } from "../../../lib/git/provider.js";

describe("repository paths", () => {
  it("accepts ordinary paths, with spaces and non-ASCII names", () => {
    for (const path of ["a", "gitops/hedgehog/fab-1/raw/my vpc.yaml", "x/ünïcode.yml", ".gitkeep", "a/.gitignore", "a/..b/c"]) {
      expect(pathProblem(path)).toBeNull();
    }
  });

  it("refuses paths that leave the repository, reach into .git, or are not plain", () => {
    for (const path of ["", "/abs", "a/", "a//b", "./a", "a/./b", "../a", "a/../b", "a/.git/x", ".GIT/config", "a\\b", "a\0b"]) {
      expect(pathProblem(path), path).not.toBeNull();
    }
  });

  it("normalizes directories and tells what lies inside", () => {
    expect(normalizeDirectory("")).toBe("");
    expect(normalizeDirectory(".")).toBe("");
    expect(normalizeDirectory("./gitops/fab/")).toBe("gitops/fab");
    expect(() => normalizeDirectory("../up")).toThrow(InvalidChangeError);
    expect(isInDirectory("gitops/fab/a.yaml", "gitops/fab")).toBe(true);
    expect(isInDirectory("gitops/fabric/a.yaml", "gitops/fab")).toBe(false);
    expect(isInDirectory("gitops/fab", "gitops/fab")).toBe(false);
    expect(isInDirectory("anything", "")).toBe(true);
  });

  it("checks branch names like git check-ref-format", () => {
    for (const ok of ["main", "gitops/fab-1", "release-1.2", "feature/x_y"]) expect(() => assertBranchName(ok)).not.toThrow();
    for (const bad of ["", "-x", "a..b", "a b", "a:b", "a~1", "a^", "a?", "a*", "a[b", "a\\b", "a/", "a.", "/a", "a//b", ".hidden", "a/.b", "x.lock", "a@{1}", "HEAD"]) {
      expect(() => assertBranchName(bad), bad).toThrow(InvalidGitSettingsError);
    }
  });
});

describe("fabric directories (the API and the providers apply the same rules)", () => {
  it.each([
    ["gitops/hedgehog/fabric-1", null],
    [".git", "contains a .git segment"],
    ["a/.GIT", "contains a .git segment"],
    ["a/.Git/b", "contains a .git segment"],
    ["a\\b", "contains a backslash"],
    ["a\u0001b", "contains a control character"],
    ["a\tb", "contains a control character"],
    ["a/\u007f", "contains a control character"],
    ["a".repeat(256), "is longer than 255 characters"],
    ["a/../b", 'contains a ".." segment'],
  ])("%j → %s", (directory, expected) => {
    expect(directoryProblem(directory)).toBe(expected);
    if (expected !== null) expect(() => normalizeDirectory(directory)).toThrow(InvalidChangeError);
  });
});

describe("change sets", () => {
  it("sorts by path, encodes text as UTF-8 and names each blob", () => {
    const changes = prepareChanges([
      { path: "b.yaml", content: "é\n" },
      { path: "a.yaml", content: null },
    ]);
    expect(changes.map((change) => change.path)).toEqual(["a.yaml", "b.yaml"]);
    expect(changes[1]).toMatchObject({ content: Uint8Array.from([0xc3, 0xa9, 0x0a]), sha: "c6003325155f475bd7c87731607525dce73be9cf" });
  });

  it("refuses a path given twice, or used as file and folder at once", () => {
    expect(() => prepareChanges([{ path: "a", content: "1" }, { path: "a", content: null }])).toThrow(InvalidChangeError);
    expect(() => prepareChanges([{ path: "a", content: "1" }, { path: "a/b", content: "2" }])).toThrow(InvalidChangeError);
    expect(() => prepareChanges([{ path: "x/a/b/c", content: "1" }, { path: "x/a", content: null }])).toThrow(InvalidChangeError);
  });

  it("refuses empty messages, malformed parents and odd authors", () => {
    const base = { parent: null, branch: "main", changes: [], message: "m" };
    expect(() => prepareCommit({ ...base, message: "  \n" }, HEDGEHOG_COMMITTER)).toThrow(InvalidChangeError);
    expect(() => prepareCommit({ ...base, parent: "HEAD~1" }, HEDGEHOG_COMMITTER)).toThrow(InvalidChangeError);
    expect(() => prepareCommit({ ...base, author: { name: "x <y>", email: "e@x" } }, HEDGEHOG_COMMITTER)).toThrow(InvalidChangeError);
    expect(prepareCommit(base, HEDGEHOG_COMMITTER).author).toEqual(HEDGEHOG_COMMITTER);
  });
});
