import { describe, expect, it } from "vitest";
import { gitHubCredentials, remoteCredentials } from "../../../lib/git/credentials.js";
import { InvalidGitSettingsError } from "../../../lib/git/errors.js";

describe("credential secrets", () => {
  it("reads a GitHub token or a GitHub App, fixing escaped newlines in the key", () => {
    expect(gitHubCredentials("ghp_abc\n", "env:T")).toEqual({ kind: "token", token: "ghp_abc" });
    expect(gitHubCredentials(JSON.stringify({ appId: 1, installationId: "22", privateKey: "-----BEGIN\\nKEY\\n-----END" }), "env:T")).toEqual({
      kind: "app",
      appId: 1,
      installationId: "22",
      privateKey: "-----BEGIN\nKEY\n-----END",
    });
  });

  it("refuses malformed secrets without repeating their value", () => {
    for (const secret of ['{"appId": 1, "privateKey": "sekrit-value"}', "two words-sekrit-value", "   "]) {
      let error: unknown;
      try {
        gitHubCredentials(secret, "aws-sm:github");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InvalidGitSettingsError);
      expect((error as Error).message).toContain("aws-sm:github");
      expect((error as Error).message).not.toContain("sekrit");
    }
  });

  it("reads a remote token as x-access-token's password, or user and password as JSON", () => {
    expect(remoteCredentials("tok\n", "env:T")).toEqual({ username: "x-access-token", password: "tok" });
    expect(remoteCredentials('{"username":"bot","password":"pw"}', "env:T")).toEqual({ username: "bot", password: "pw" });
    expect(() => remoteCredentials('{"user":"bot"}', "env:T")).toThrow(InvalidGitSettingsError);
  });
});
