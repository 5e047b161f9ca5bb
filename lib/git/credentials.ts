// What a credentials secret may hold, per provider. The value is parsed here and handed to the client;
// it never appears in an error message (only the reference does).
import * as z from "zod";
import { InvalidGitSettingsError } from "./errors.js";
import type { GitHubCredentials } from "./github/client.js";
import type { RemoteCredentials } from "./isogit/remote-provider.js";

const gitHubAppSecret = z.object({
  appId: z.union([z.number().int().positive(), z.string().regex(/^\S+$/)]),
  privateKey: z.string().min(1),
  installationId: z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]),
});

const basicSecret = z.object({ username: z.string().min(1), password: z.string().min(1) });

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** A token, or a GitHub App as JSON {appId, privateKey, installationId}. */
export function gitHubCredentials(secret: string, reference: string): GitHubCredentials {
  const trimmed = secret.trim();
  if (!trimmed.startsWith("{")) {
    if (trimmed === "" || /\s/.test(trimmed)) throw new InvalidGitSettingsError(`the secret ${reference} is not a GitHub token`);
    return { kind: "token", token: trimmed };
  }
  const app = gitHubAppSecret.safeParse(parseJson(trimmed));
  if (!app.success) throw new InvalidGitSettingsError(`the secret ${reference} is JSON but not a GitHub App {appId, privateKey, installationId}`);
  // Keys pasted through a single-line field often arrive with literal "\n" sequences.
  const privateKey = app.data.privateKey.includes("\n") ? app.data.privateKey : app.data.privateKey.replace(/\\n/g, "\n");
  return { kind: "app", appId: app.data.appId, privateKey, installationId: app.data.installationId };
}

/** A token (sent as the password of "x-access-token", which GitHub, GitLab and Gitea accept), or JSON {username, password}. */
export function remoteCredentials(secret: string, reference: string): RemoteCredentials {
  const trimmed = secret.trim();
  if (trimmed.startsWith("{")) {
    const basic = basicSecret.safeParse(parseJson(trimmed));
    if (!basic.success) throw new InvalidGitSettingsError(`the secret ${reference} is JSON but not {username, password}`);
    return basic.data;
  }
  if (trimmed === "") throw new InvalidGitSettingsError(`the secret ${reference} is empty`);
  return { username: "x-access-token", password: trimmed };
}
