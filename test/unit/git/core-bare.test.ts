// core.bare as git reads it: the check that keeps a working repository's .git out (DESIGN §14).
import { describe, expect, it } from "vitest";
import { coreBare } from "../../../lib/git/local-repository.js";

describe("coreBare", () => {
  it.each([
    ["[core]\n\tbare = true\n", true],
    ["[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tlogallrefupdates = true\n", false],
    ["[Core]\n  Bare = YES ; a comment\n", true],
    ["[core]\n\tbare\n", true],
    ["[core]\n\tbare = true\n[core]\n\tbare = false\n", false],
    ['[remote "core"]\n\tbare = true\n', false],
    ["[user]\n\tbare = true\n", false],
    ["", false],
  ])("%j → %s", (config, expected) => {
    expect(coreBare(config)).toBe(expected);
  });
});
