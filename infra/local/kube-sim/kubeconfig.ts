// Kubeconfigs that point a client at the simulator: server URL plus bearer token, as a kubeconfig
// file's content (object or YAML text), or in the shape @kubernetes/client-node's
// KubeConfig.loadFromOptions takes.
//
// @kubernetes/client-node 1.4 refuses an http:// server unless the cluster says
// insecure-skip-tls-verify ("HTTP protocol is not allowed when skipTLSVerify is not set or false"),
// so plain-HTTP targets get that flag; https ones keep verification, trusting the simulator's own CA
// (certificate-authority-data) when one is given.

import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { stringify } from "yaml";

export interface KubeconfigTarget {
  /** e.g. http://127.0.0.1:43127 */
  readonly server: string;
  readonly token: string;
  /** Cluster, user and context name (default "kube-sim"). */
  readonly name?: string;
  /** Default namespace of the context. */
  readonly namespace?: string;
  /** PEM of the CA that signed an https server's certificate. */
  readonly certificateAuthority?: string;
}

/** A kubeconfig file's content. */
export interface KubeconfigFile {
  readonly apiVersion: "v1";
  readonly kind: "Config";
  readonly clusters: readonly {
    readonly name: string;
    readonly cluster: { readonly server: string; readonly "insecure-skip-tls-verify"?: true; readonly "certificate-authority-data"?: string };
  }[];
  readonly users: readonly { readonly name: string; readonly user: { readonly token: string } }[];
  readonly contexts: readonly { readonly name: string; readonly context: { readonly cluster: string; readonly user: string; readonly namespace?: string } }[];
  readonly "current-context": string;
  readonly preferences: Record<string, never>;
}

/** What KubeConfig.loadFromOptions expects. */
export interface KubeconfigOptions {
  readonly clusters: readonly { readonly name: string; readonly server: string; readonly skipTLSVerify: boolean; readonly caData?: string }[];
  readonly users: readonly { readonly name: string; readonly token: string }[];
  readonly contexts: readonly { readonly name: string; readonly cluster: string; readonly user: string; readonly namespace?: string }[];
  readonly currentContext: string;
}

const base64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

function plainHttp(server: string): boolean {
  return server.startsWith("http:");
}

export function kubeconfigFile(target: KubeconfigTarget): KubeconfigFile {
  const name = target.name ?? "kube-sim";
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: target.server,
          ...(plainHttp(target.server) ? { "insecure-skip-tls-verify": true as const } : {}),
          ...(target.certificateAuthority ? { "certificate-authority-data": base64(target.certificateAuthority) } : {}),
        },
      },
    ],
    users: [{ name, user: { token: target.token } }],
    contexts: [{ name, context: { cluster: name, user: name, ...(target.namespace ? { namespace: target.namespace } : {}) } }],
    "current-context": name,
    preferences: {},
  };
}

export function kubeconfigOptions(target: KubeconfigTarget): KubeconfigOptions {
  const name = target.name ?? "kube-sim";
  return {
    clusters: [{ name, server: target.server, skipTLSVerify: plainHttp(target.server), ...(target.certificateAuthority ? { caData: base64(target.certificateAuthority) } : {}) }],
    users: [{ name, token: target.token }],
    contexts: [{ name, cluster: name, user: name, ...(target.namespace ? { namespace: target.namespace } : {}) }],
    currentContext: name,
  };
}

export function kubeconfigYaml(target: KubeconfigTarget): string {
  return stringify(kubeconfigFile(target));
}

/** Writes the kubeconfig file (mode 0600: it holds a token). */
export async function writeKubeconfig(path: string, target: KubeconfigTarget): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, kubeconfigYaml(target), { mode: 0o600 });
}
