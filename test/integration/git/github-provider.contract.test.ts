// The contract against the simulated GitHub (REST over real bare repositories).
import { startGitHubSim } from "../../../infra/local/github-sim/index.js";
import { createGitProvider } from "../../../lib/git/index.js";
import { createSecretResolver } from "../../../lib/secrets/index.js";
import { describeGitProviderContract } from "./provider-contract.js";

const TOKEN = "ghp_contract_test_token";

describeGitProviderContract("github provider → simulated GitHub", async () => {
  const sim = await startGitHubSim({ token: TOKEN });
  const secrets = createSecretResolver({ env: { GITHUB_TOKEN: TOKEN } });
  let count = 0;
  return {
    async newRepository(repos) {
      const gitdir = await repos.bare("main");
      const repo = `fabric-${++count}`;
      sim.addRepository({ owner: "acme", repo, gitdir });
      const provider = await createGitProvider(
        { provider: "github", owner: "acme", repo, apiUrl: sim.url, credentials: "env:GITHUB_TOKEN", branch: "main" },
        { secrets, github: { retryAfterBaseValue: 1, spaceWrites: false } },
      );
      return { provider, gitdir };
    },
    close: () => sim.close(),
  };
});
