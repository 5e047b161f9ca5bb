// The trust rules (DESIGN §14) as module tests meet them: the local deployment's policy, with the
// loopback servers the tests start and the repositories test/support makes under os.tmpdir().
import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import type { TrustPolicy } from "../../lib/config/trust.js";
import type { HostPolicy } from "../../lib/net/hosts.js";
import { createSecretStore, type SecretPolicy, type SecretResolver, type SecretStoreOptions } from "../../lib/secrets/index.js";

/** The fabric id module tests resolve secrets for. */
export const TEST_FABRIC = "test-fabric";

/** Loopback only: the simulated GitHub, Git HTTP backends and the kube-sim run on 127.0.0.1. */
export const LOOPBACK_HOSTS: HostPolicy = { allowedHosts: [], allowLoopback: true };

/** test/support/git-repos.ts and seed-repo.ts make repositories under os.tmpdir() (resolved: /tmp may be a link). */
export const TEST_REPO_ROOT = realpathSync(tmpdir());

export function localSecretPolicy(secretsDir: string | null = null): SecretPolicy {
  return { deployment: "local", secretNamePrefix: "hedgehog-gitops", secretsDir };
}

export function localTrust(secretsDir: string | null = null): TrustPolicy {
  return { secrets: localSecretPolicy(secretsDir), hosts: LOOPBACK_HOSTS, repoRoot: TEST_REPO_ROOT };
}

/** Fabric TEST_FABRIC's secrets under the local policy; env: references must be HH_GITOPS_SECRET_*. */
export function localSecrets(env: Readonly<Record<string, string>> = {}, options: Partial<SecretStoreOptions> & { fabricId?: string } = {}): SecretResolver {
  const { fabricId = TEST_FABRIC, ...rest } = options;
  return createSecretStore({ policy: localSecretPolicy(), env, ...rest }).forFabric(fabricId);
}

/** What createGitProvider needs besides secrets, for tests against loopback servers and temporary repositories. */
export const LOCAL_GIT_TRUST = { hosts: LOOPBACK_HOSTS, repoRoot: TEST_REPO_ROOT } as const;
