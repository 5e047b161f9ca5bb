// GitHub pull_request deliveries for tests: GitHub's own example payload (@octokit/webhooks-examples),
// pointed at a repository, pull request and head commit of the simulated GitHub, signed like GitHub
// signs them.
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { generateKeyPairSync } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";

interface Example {
  readonly name: string;
  readonly examples: readonly ({ action?: string } & Record<string, unknown>)[];
}

const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as readonly Example[];

export interface PullRequestDelivery {
  readonly action: "opened" | "synchronize" | "reopened" | "ready_for_review" | "closed" | "labeled";
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
  readonly headSha: string;
  readonly headRef: string;
  readonly baseRef: string;
  readonly baseSha?: string;
  readonly state?: "open" | "closed";
}

/** GitHub's example delivery of `action`, rewritten to name our repository, pull request and commits. */
export function pullRequestPayload(d: PullRequestDelivery): Record<string, unknown> {
  const example = examples.find((e) => e.name === "pull_request")!.examples.find((e) => e.action === d.action);
  if (!example) throw new Error(`@octokit/webhooks-examples has no pull_request "${d.action}" example`);
  const text = JSON.stringify(example).replace(/Codertocat\/Hello-World/g, `${d.owner}/${d.repo}`);
  const payload = JSON.parse(text) as {
    number: number;
    pull_request: Record<string, unknown> & { head: Record<string, unknown>; base: Record<string, unknown> };
    repository: Record<string, unknown> & { owner: Record<string, unknown> };
  };
  payload.number = d.number;
  payload.repository.name = d.repo;
  payload.repository.full_name = `${d.owner}/${d.repo}`;
  payload.repository.owner.login = d.owner;
  Object.assign(payload.pull_request, { number: d.number, state: d.state ?? "open", draft: false, html_url: `https://github.com/${d.owner}/${d.repo}/pull/${d.number}` });
  Object.assign(payload.pull_request.head, { ref: d.headRef, sha: d.headSha, label: `${d.owner}:${d.headRef}` });
  Object.assign(payload.pull_request.base, { ref: d.baseRef, sha: d.baseSha ?? "0".repeat(39) + "1", label: `${d.owner}:${d.baseRef}` });
  return payload;
}

/** Headers of a signed delivery of `body`. */
export async function deliveryHeaders(secret: string, event: string, body: string, id = randomUUID()): Promise<Record<string, string>> {
  return {
    "content-type": "application/json",
    "user-agent": "GitHub-Hookshot/044aadd",
    "x-github-event": event,
    "x-github-delivery": id,
    "x-hub-signature-256": await sign(secret, body),
  };
}

/** A GitHub App for the simulated GitHub: its secret as a fabric names it, and what the simulator verifies. */
export function testGitHubApp(appId: number, installationId: number): { secret: string; sim: { appId: number; publicKey: string; installationId: number } } {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    secret: JSON.stringify({ appId, installationId, privateKey: privateKey.export({ type: "pkcs1", format: "pem" }).toString() }),
    sim: { appId, installationId, publicKey: publicKey.export({ type: "spki", format: "pem" }).toString() },
  };
}
