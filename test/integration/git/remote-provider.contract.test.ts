// The contract against a smart-HTTP remote: `git http-backend` behind a node server on 127.0.0.1
// that asks for a token (HTTP Basic), as a hosted Git service would.
import { createGitProvider } from "../../../lib/git/index.js";
import { createSecretResolver } from "../../../lib/secrets/index.js";
import { startGitHttpBackend } from "../../support/git-http-backend.js";
import { TempRepos } from "../../support/git-repos.js";
import { describeGitProviderContract } from "./provider-contract.js";

const TOKEN = "git-http-test-token";

describeGitProviderContract("git provider → smart-HTTP remote (git http-backend)", async () => {
  const scratch = new TempRepos();
  const root = await scratch.dir("hh-git-root-");
  const work = await scratch.dir("hh-git-clones-");
  const server = await startGitHttpBackend({ root, token: TOKEN });
  const secrets = createSecretResolver({ env: { GIT_TOKEN: TOKEN } });
  let count = 0;
  return {
    async newRepository(repos) {
      const name = `repo-${++count}.git`;
      const gitdir = await repos.bare("main", root, name);
      const provider = await createGitProvider(
        { provider: "git", url: server.repoUrl(name), branch: "main", credentials: "env:GIT_TOKEN" },
        { secrets, workDir: work },
      );
      return { provider, gitdir };
    },
    async close() {
      await server.close();
      await scratch.removeAll();
    },
  };
});
