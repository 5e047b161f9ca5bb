// The contract against a local bare repository (the local stack's default), read and written in place.
import { createGitProvider } from "../../../lib/git/index.js";
import { LOCAL_GIT_TRUST, localSecrets } from "../../support/trust.js";
import { describeGitProviderContract } from "./provider-contract.js";

describeGitProviderContract("git provider → local bare repository", async () => ({
  async newRepository(repos) {
    const gitdir = await repos.bare("main");
    const provider = await createGitProvider({ provider: "git", url: gitdir, branch: "main" }, { secrets: localSecrets(), ...LOCAL_GIT_TRUST });
    return { provider, gitdir };
  },
  pullRequests: false,
  async close() {},
}));
