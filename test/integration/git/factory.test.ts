// createGitProvider: which provider a fabric's git block gets, and which blocks are refused.
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { TerminalError } from "../../../lib/errors.js";
import { createGitProvider, InvalidGitSettingsError, type GitProviderSettings } from "../../../lib/git/index.js";
import { HostNotAllowedError } from "../../../lib/net/index.js";
import { SecretNotFoundError } from "../../../lib/secrets/index.js";
import { TempRepos } from "../../support/git-repos.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";

const repos = new TempRepos();
const secrets = localSecrets({ HH_GITOPS_SECRET_TOKEN: "t0ken" });
const deps = { secrets, ...LOCAL_GIT_TRUST };
afterAll(() => repos.removeAll());

describe("createGitProvider", () => {
  it("opens a local bare repository by absolute path or file URL", async () => {
    const gitdir = await repos.bare("main");
    const head = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    for (const url of [gitdir, pathToFileURL(gitdir).href]) {
      const provider = await createGitProvider({ provider: "git", url, branch: "main", directory: "gitops/hedgehog/fab" }, deps);
      expect((await provider.head("main"))?.sha).toBe(head);
    }
  });

  it("refuses git blocks it cannot use safely", async () => {
    const refused: [GitProviderSettings, new (...args: never[]) => TerminalError][] = [
      [{ provider: "git", url: "ssh://git@example.com/acme/net.git", branch: "main" }, HostNotAllowedError],
      [{ provider: "git", url: "https://user:pass@example.com/acme/net.git", branch: "main" }, HostNotAllowedError],
      [{ provider: "git", url: "http://git.example.com/acme/net.git", branch: "main", credentials: "env:HH_GITOPS_SECRET_TOKEN" }, HostNotAllowedError],
      [{ provider: "git", url: "/srv/git/net.git", branch: "main", credentials: "env:HH_GITOPS_SECRET_TOKEN" }, InvalidGitSettingsError],
      [{ provider: "git", url: "/srv/git/net.git", branch: "main" }, InvalidGitSettingsError],
      [{ provider: "git", url: "/srv/git/net.git", branch: "bad..branch" }, InvalidGitSettingsError],
      [{ provider: "github", owner: "acme", repo: "net", apiUrl: "ftp://example.com", credentials: "env:HH_GITOPS_SECRET_TOKEN", branch: "main" }, HostNotAllowedError],
    ];
    for (const [settings, error] of refused) {
      await expect(createGitProvider(settings, deps), JSON.stringify(settings)).rejects.toBeInstanceOf(error);
    }
  });

  it("resolves credentials when the provider is made, failing terminally when the secret is missing", async () => {
    await expect(
      createGitProvider(
        { provider: "github", owner: "acme", repo: "net", credentials: "env:HH_GITOPS_SECRET_ABSENT", branch: "main" },
        { ...deps, hosts: { allowedHosts: ["api.github.com"], allowLoopback: false } },
      ),
    ).rejects.toBeInstanceOf(SecretNotFoundError);
  });
});
