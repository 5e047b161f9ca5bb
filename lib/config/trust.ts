// The trust policy of this deployment (DESIGN §14), from the settings: which secret references a fabric
// may use, which hosts the engine may call, and where local repositories may lie.
import { join } from "node:path";
import type { HostPolicy } from "../net/hosts.js";
import type { SecretPolicy } from "../secrets/policy.js";
import type { Settings } from "./settings.js";

export interface TrustPolicy {
  readonly secrets: SecretPolicy;
  readonly hosts: HostPolicy;
  /** Absolute folder under which local bare repositories must lie; null: no local repositories (the cloud). */
  readonly repoRoot: string | null;
}

export function trustPolicy(settings: Pick<Settings, "deployment" | "secretNamePrefix" | "allowedHosts" | "repoRoot" | "dataDir">): TrustPolicy {
  const local = settings.deployment === "local";
  return {
    secrets: {
      deployment: settings.deployment,
      secretNamePrefix: settings.secretNamePrefix,
      secretsDir: local && settings.dataDir ? join(settings.dataDir, "secrets") : null,
    },
    hosts: { allowedHosts: settings.allowedHosts, allowLoopback: local },
    repoRoot: local ? (settings.repoRoot ?? null) : null,
  };
}
