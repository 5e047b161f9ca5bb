// The fabric's git block → a GitProvider. Secrets are resolved here, through the resolver the caller
// passes, and go straight into the client; the settings hold only their references.
import { fileURLToPath } from "node:url";
import type { SecretResolver } from "../secrets/index.js";
import { gitHubCredentials, remoteCredentials } from "./credentials.js";
import { InvalidGitSettingsError } from "./errors.js";
import { createGitHubClient, type GitHubClientTuning } from "./github/client.js";
import { GitHubProvider, type GitHubProviderLimits } from "./github/github-provider.js";
import { LocalRepositoryProvider } from "./isogit/local-provider.js";
import { RemoteRepositoryProvider } from "./isogit/remote-provider.js";
import { assertBranchName, normalizeDirectory } from "./paths.js";
import type { GitProvider } from "./provider.js";
import type { GitReadCache } from "./read-cache.js";

/** The fabric's git block (see lib/fabrics/schema.ts). */
export type GitProviderSettings =
  | {
      readonly provider: "git";
      /** Absolute path of a bare repository (or file:// URL), or an http(s) URL. */
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
  readonly secrets: SecretResolver;
  /** One per process keeps heads (ETags) and blob contents across invocations. */
  readonly cache?: GitReadCache;
  /** Octokit tuning (tests keep backoff tiny) and request-size limits of the github provider. */
  readonly github?: GitHubClientTuning & { readonly limits?: GitHubProviderLimits };
  /** Where temporary clones of http(s) remotes go (default os.tmpdir()). */
  readonly workDir?: string;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function createGitProvider(settings: GitProviderSettings, deps: GitProviderDeps): Promise<GitProvider> {
  assertBranchName(settings.branch);
  if (settings.directory !== undefined) normalizeDirectory(settings.directory);

  if (settings.provider === "github") {
    const apiUrl = settings.apiUrl ?? "https://api.github.com";
    if (!/^https?:\/\//.test(apiUrl)) throw new InvalidGitSettingsError("apiUrl must be an http(s) URL");
    const credentials = gitHubCredentials(await deps.secrets.resolve(settings.credentials), settings.credentials);
    const client = createGitHubClient({ apiUrl, credentials, ...(deps.github ? { tuning: deps.github } : {}) });
    return new GitHubProvider({
      client,
      owner: settings.owner,
      repo: settings.repo,
      ...(deps.cache ? { cache: deps.cache } : {}),
      ...(deps.github?.limits ? { limits: deps.github.limits } : {}),
    });
  }

  const url = settings.url;
  if (url.startsWith("/") || url.startsWith("file://")) {
    if (settings.credentials !== undefined) throw new InvalidGitSettingsError("credentials are not used for a local repository; remove them");
    return new LocalRepositoryProvider(url.startsWith("file://") ? fileURLToPath(url) : url);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidGitSettingsError("url must be an absolute path of a bare repository or an http(s) URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new InvalidGitSettingsError(`url scheme ${parsed.protocol} is not supported; use https or a local path`);
  }
  if (parsed.username || parsed.password) throw new InvalidGitSettingsError("url must not carry credentials; use a credentials secret reference");
  if (settings.credentials !== undefined && parsed.protocol === "http:" && !LOOPBACK.has(parsed.hostname)) {
    throw new InvalidGitSettingsError("credentials are only sent over https (plain http is allowed for 127.0.0.1 and localhost)");
  }
  const credentials = settings.credentials === undefined ? undefined : remoteCredentials(await deps.secrets.resolve(settings.credentials), settings.credentials);
  return new RemoteRepositoryProvider({
    url,
    defaultBranch: settings.branch,
    ...(credentials ? { credentials } : {}),
    ...(deps.workDir ? { workDir: deps.workDir } : {}),
  });
}
