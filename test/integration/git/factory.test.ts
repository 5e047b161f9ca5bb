// createGitProvider: which provider a fabric's git block gets, and which blocks are refused.
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createGitProvider, InvalidGitSettingsError, type GitProviderSettings } from "../../../lib/git/index.js";
import { createSecretResolver, SecretNotFoundError } from "../../../lib/secrets/index.js";
import { TempRepos } from "../../support/git-repos.js";

const repos = new TempRepos();
const secrets = createSecretResolver({ env: { TOKEN: "t0ken" } });
afterAll(() => repos.removeAll());

describe("createGitProvider", () => {
  it("opens a local bare repository by absolute path or file URL", async () => {
    const gitdir = await repos.bare("main");
    const head = await repos.seed(gitdir, "main", { "a.txt": "a\n" });
    for (const url of [gitdir, pathToFileURL(gitdir).href]) {
      const provider = await createGitProvider({ provider: "git", url, branch: "main", directory: "gitops/hedgehog/fab" }, { secrets });
      expect((await provider.head("main"))?.sha).toBe(head);
    }
  });

  it("refuses git blocks it cannot use safely", async () => {
    const refused: GitProviderSettings[] = [
      { provider: "git", url: "ssh://git@example.com/acme/net.git", branch: "main" },
      { provider: "git", url: "https://user:pass@example.com/acme/net.git", branch: "main" },
      { provider: "git", url: "http://git.example.com/acme/net.git", branch: "main", credentials: "env:TOKEN" },
      { provider: "git", url: "/srv/git/net.git", branch: "main", credentials: "env:TOKEN" },
      { provider: "git", url: "/srv/git/net.git", branch: "bad..branch" },
      { provider: "github", owner: "acme", repo: "net", apiUrl: "ftp://example.com", credentials: "env:TOKEN", branch: "main" },
    ];
    for (const settings of refused) {
      await expect(createGitProvider(settings, { secrets }), JSON.stringify(settings)).rejects.toBeInstanceOf(InvalidGitSettingsError);
    }
  });

  it("resolves credentials when the provider is made, failing terminally when the secret is missing", async () => {
    await expect(
      createGitProvider({ provider: "github", owner: "acme", repo: "net", credentials: "env:ABSENT", branch: "main" }, { secrets }),
    ).rejects.toBeInstanceOf(SecretNotFoundError);
  });
});
