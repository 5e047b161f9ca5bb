// POST /webhooks/github. No bearer token or SigV4 (GitHub cannot present one): the X-Hub-Signature-256
// HMAC of the raw body is the authentication, checked in lib/triggers before anything else happens.
// The router hands the body over as received (only base64 undone), never parsed.
import { problemFromError } from "../../lib/api/problems.js";
import { logger } from "../../lib/observability/logger.js";
import { runtime, type Runtime } from "../../lib/pipeline/runtime.js";
import { trustPolicy } from "../../lib/config/trust.js";
import { createSecretStore } from "../../lib/secrets/index.js";
import { documentClient } from "../../lib/store/client.js";
import { DeliveryRepository } from "../../lib/store/deliveries.js";
import { WebhookService, webhookSecretSource, type PushTarget, type WebhookOutcome } from "../../lib/triggers/index.js";
// Only the GitHub client (pull requests), not the whole of lib/git: this bundle stays without isomorphic-git.
import { createHostFeedback, type HostFeedback } from "../../lib/git/feedback-factory.js";
import { httpHandler, json, type ApiResponse } from "./router.js";

const STATUS_BY_OUTCOME: Readonly<Record<WebhookOutcome["kind"], number>> = {
  duplicate: 200,
  replay: 200,
  ping: 200,
  // Runs are asynchronous; what started is in the body.
  push: 202,
  pull_request: 202,
  pull_request_replay: 200,
  unsupported: 202,
};

let cached: { rt: Runtime; service: WebhookService } | undefined;

function service(): WebhookService {
  const rt = runtime();
  if (cached?.rt === rt) return cached.service;
  const { settings } = rt;
  // The operator's own reference (HH_GITOPS_WEBHOOK_SECRET_REF) for the signature; each fabric's own Git
  // credentials (resolver.forFabric) only to read the pull requests of its repository.
  const trust = trustPolicy(settings);
  const resolver = createSecretStore({
    policy: trust.secrets,
    region: settings.region,
    ...(settings.endpoints.secretsManager ? { secretsManagerEndpoint: settings.endpoints.secretsManager } : {}),
  });
  // One client per fabric and git block while the container is warm (a GitHub App's installation token
  // is fetched once); a failed creation is forgotten, so that a secret created later is found.
  const hosts = new Map<string, Promise<HostFeedback>>();
  const hostFor = (target: PushTarget): Promise<HostFeedback> => {
    const key = JSON.stringify([target.id, target.git]);
    let host = hosts.get(key);
    if (!host) {
      host = createHostFeedback(target.git, {
        secrets: resolver.forFabric(target.id),
        hosts: trust.hosts,
        ...(settings.githubSpaceWrites ? {} : { github: { spaceWrites: false, writesPerMinute: Infinity, writesPerHour: Infinity } }),
      });
      host.catch(() => hosts.delete(key));
      hosts.set(key, host);
    }
    return host;
  };
  const webhooks = new WebhookService({
    secret: webhookSecretSource(settings, resolver.operator),
    deliveries: new DeliveryRepository(documentClient(settings), settings.tableName),
    fabrics: rt.fabrics,
    runs: rt.runService,
    pullRequestsFor: async (target) => (await hostFor(target)).pullRequests,
  });
  cached = { rt, service: webhooks };
  return webhooks;
}

export const handler = httpHandler({
  "POST /webhooks/github": async (request): Promise<ApiResponse> => {
    try {
      const outcome = await service().receive({ headers: request.headers, rawBody: request.rawBody ?? "", now: request.now });
      logger.info("webhook delivery", { outcome: outcome.kind, ...outcome.body });
      return json(STATUS_BY_OUTCOME[outcome.kind], outcome.body);
    } catch (error) {
      const p = problemFromError(error);
      if (p.status === 500) throw error; // the router logs it and answers a 500 that reveals nothing
      // 401s are logged too: a run of them means a wrong secret in GitHub, or someone probing.
      logger.warn("webhook delivery refused", { status: p.status, detail: p.detail, delivery: request.headers["x-github-delivery"] });
      return { status: p.status, body: p, headers: { "content-type": "application/problem+json" } };
    }
  },
});
