// The contract against the simulated GitHub (REST over real bare repositories).
import { GITHUB_LIMITS, startGitHubSim } from "../../../infra/local/github-sim/index.js";
import { createGitProvider } from "../../../lib/git/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { describeGitProviderContract } from "./provider-contract.js";

const TOKEN = "ghp_contract_test_token";

describeGitProviderContract("github provider → simulated GitHub", async () => {
  const sim = await startGitHubSim({ token: TOKEN });
  const secrets = localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN });
  let count = 0;
  return {
    async newRepository(repos) {
      const gitdir = await repos.bare("main");
      const repo = `fabric-${++count}`;
      sim.addRepository({ owner: "acme", repo, gitdir });
      const provider = await createGitProvider(
        { provider: "github", owner: "acme", repo, apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
        { secrets, ...LOCAL_GIT_TRUST, github: { retryAfterBaseValue: 1, spaceWrites: false } },
      );
      return { provider, gitdir };
    },
    pullRequests: true,
    close: () => sim.close(),
  };
});

// Again with GitHub's limits on and every bulk read through GraphQL (no repository is small enough
// for a tarball): the contract does not depend on the read path or on a GitHub without limits.
describeGitProviderContract("github provider → simulated GitHub with GitHub's limits, GraphQL reads", async () => {
  const sim = await startGitHubSim({ token: TOKEN, limits: GITHUB_LIMITS, retryAfterUnitMs: 20 });
  const secrets = localSecrets({ HH_GITOPS_SECRET_GITHUB_TOKEN: TOKEN });
  let count = 0;
  return {
    async newRepository(repos) {
      const gitdir = await repos.bare("main");
      const repo = `fabric-${++count}`;
      sim.addRepository({ owner: "acme", repo, gitdir });
      const provider = await createGitProvider(
        { provider: "github", owner: "acme", repo, apiUrl: sim.url, credentials: "env:HH_GITOPS_SECRET_GITHUB_TOKEN", branch: "main" },
        { secrets, ...LOCAL_GIT_TRUST, github: { retryAfterBaseValue: 25, spaceWrites: false, limits: { tarballMaxBytes: 0 } } },
      );
      return { provider, gitdir };
    },
    pullRequests: true,
    close: () => sim.close(),
  };
});
