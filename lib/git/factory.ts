// The fabric's git block → a GitProvider. Secrets are resolved here, through the fabric's resolver the
// caller passes, and go straight into the client; the settings hold only their references. The trust
// rules (DESIGN §14) are checked here again, whatever the API accepted: the host allow-list before any
// request (and, through the clients' HTTP layers, before every later one), the repository root before
// any local path is opened — and both before a secret is read.
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { assertUrlAllowed } from "../net/guarded-fetch.js";
import type { HostPolicy } from "../net/hosts.js";
import type { SecretResolver } from "../secrets/index.js";
import { gitHubCredentials, remoteCredentials } from "./credentials.js";
import { InvalidGitSettingsError } from "./errors.js";
import { DEFAULT_GITHUB_API_URL } from "./github/api-url.js";
import type { GitHubClientTuning } from "./github/client.js";
import type { GitHubProviderLimits } from "./github/github-provider.js";
import { checkLocalRepository } from "./local-repository.js";
import { assertBranchName, normalizeDirectory } from "./paths.js";
import type { GitProvider } from "./provider.js";
import type { GitReadCache } from "./read-cache.js";

/** The fabric's git block (see lib/fabrics/schema.ts). */
export type GitProviderSettings =
  | {
      readonly provider: "git";
      /** Absolute path of a bare repository (or file:// URL) under the repository root, or an https URL. */
      readonly url: string;
      readonly branch: string;
      readonly directory?: string;
      /** Secret reference, for http(s) remotes that need auth. */
      readonly credentials?: string;
    }
  | {
      readonly provider: "github";
      readonly owner: string;
      readonly repo: string;
      /** Default https://api.github.com; GitHub Enterprise Server: https://<host>/api/v3. */
      readonly apiUrl?: string;
      /** Secret reference: a token, or GitHub App JSON {appId, privateKey, installationId}. */
      readonly credentials: string;
      readonly branch: string;
      readonly directory?: string;
    };

export interface GitProviderDeps {
  /** The fabric's own secrets (SecretStore.forFabric): each reference is checked against the policy before it is read. */
  readonly secrets: SecretResolver;
  /** Hosts that requests may go to; checked before each request and each redirect. */
  readonly hosts: HostPolicy;
  /** Folder under which local bare repositories must lie; null: no local repositories (the cloud). */
  readonly repoRoot: string | null;
  /** One per process keeps heads (ETags) and blob contents across invocations, per repository and credential. */
  readonly cache?: GitReadCache;
  /** Octokit tuning (tests keep backoff tiny) and request-size limits of the github provider. */
  readonly github?: GitHubClientTuning & { readonly limits?: GitHubProviderLimits };
  /** Where temporary clones of http(s) remotes go (default os.tmpdir()). */
  readonly workDir?: string;
}

export { DEFAULT_GITHUB_API_URL };

/** A name for one credential in cache keys: a digest, never the secret. */
function credentialScope(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url").slice(0, 22);
}

// Each provider's code (Octokit for github, isomorphic-git for git) is loaded only when a fabric uses
// it: a function bundle is one file, so both are in it, but a dynamic import defers evaluating the one
// a fabric does not use (esbuild wraps a dynamically imported module in a lazy initializer). Measured
// with `npm run bench -- bundles`, see docs/PERFORMANCE.md.
const githubModules = () => Promise.all([import("./github/client.js"), import("./github/github-provider.js")]);
const isogitModules = () => Promise.all([import("./isogit/guarded-http.js"), import("./isogit/local-provider.js"), import("./isogit/remote-provider.js")]);

export async function createGitProvider(settings: GitProviderSettings, deps: GitProviderDeps): Promise<GitProvider> {
  assertBranchName(settings.branch);
  if (settings.directory !== undefined) normalizeDirectory(settings.directory);

  if (settings.provider === "github") {
    const apiUrl = settings.apiUrl ?? DEFAULT_GITHUB_API_URL;
    assertUrlAllowed(apiUrl, deps.hosts, "git.apiUrl");
    const secret = await deps.secrets.resolve(settings.credentials);
    const credentials = gitHubCredentials(secret, settings.credentials);
    const [{ createGitHubClient }, { GitHubProvider }] = await githubModules();
    const client = createGitHubClient({ apiUrl, credentials, hosts: deps.hosts, ...(deps.github ? { tuning: deps.github } : {}) });
    return new GitHubProvider({
      client,
      owner: settings.owner,
      repo: settings.repo,
      ...(deps.cache ? { cache: deps.cache.scoped(credentialScope(secret)) } : {}),
      ...(deps.github?.limits ? { limits: deps.github.limits } : {}),
    });
  }

  const url = settings.url;
  if (url.startsWith("/") || url.startsWith("file://")) {
    if (settings.credentials !== undefined) throw new InvalidGitSettingsError("credentials are not used for a local repository; remove them");
    const checked = await checkLocalRepository(url.startsWith("file://") ? fileURLToPath(url) : url, deps.repoRoot);
    if (!checked.ok) throw new InvalidGitSettingsError(`git.url ${checked.problem}`);
    const [, { LocalRepositoryProvider }] = await isogitModules();
    return new LocalRepositoryProvider(checked.realPath);
  }
  assertUrlAllowed(url, deps.hosts, "git.url");
  const credentials = settings.credentials === undefined ? undefined : remoteCredentials(await deps.secrets.resolve(settings.credentials), settings.credentials);
  const [{ guardedGitHttp }, , { RemoteRepositoryProvider }] = await isogitModules();
  return new RemoteRepositoryProvider({
    url,
    defaultBranch: settings.branch,
    http: guardedGitHttp(deps.hosts),
    ...(credentials ? { credentials } : {}),
    ...(deps.workDir ? { workDir: deps.workDir } : {}),
  });
}
