// The contract against a smart-HTTP remote: `git http-backend` behind a node server on 127.0.0.1
// that asks for a token (HTTP Basic), as a hosted Git service would.
import { createGitProvider } from "../../../lib/git/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { startGitHttpBackend } from "../../support/git-http-backend.js";
import { TempRepos } from "../../support/git-repos.js";
import { describeGitProviderContract } from "./provider-contract.js";

const TOKEN = "git-http-test-token";

describeGitProviderContract("git provider → smart-HTTP remote (git http-backend)", async () => {
  const scratch = new TempRepos();
  const root = await scratch.dir("hh-git-root-");
  const work = await scratch.dir("hh-git-clones-");
  const server = await startGitHttpBackend({ root, token: TOKEN });
  const secrets = localSecrets({ HH_GITOPS_SECRET_GIT_TOKEN: TOKEN });
  let count = 0;
  return {
    async newRepository(repos) {
      const name = `repo-${++count}.git`;
      const gitdir = await repos.bare("main", root, name);
      const provider = await createGitProvider(
        { provider: "git", url: server.repoUrl(name), branch: "main", credentials: "env:HH_GITOPS_SECRET_GIT_TOKEN" },
        { secrets, ...LOCAL_GIT_TRUST, workDir: work },
      );
      return { provider, gitdir };
    },
    pullRequests: false,
    async close() {
      await server.close();
      await scratch.removeAll();
    },
  };
});
