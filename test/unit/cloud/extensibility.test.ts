// Adding to the wiring is enough: a throwaway wiring with an extra webhook route (auth "signature"), an
// extra queue with its consumer and an extra schedule comes out of the stack without touching infra/cloud.
import { afterEach, describe, expect, it, vi } from "vitest";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { configFromContext } from "../../../infra/cloud/config.js";
import { HedgehogGitopsStack } from "../../../infra/cloud/stack.js";
import { defineWiring } from "../../../infra/wiring-types.js";
import { wiring } from "../../../infra/wiring.js";
import { getAtt, iamResourceProblems, ref, referencedLogicalIds, synthesize } from "./template.js";

const extended = defineWiring({
  functions: {
    ...wiring.functions,
    probeWebhook: { entry: "functions/http/meta.ts", timeoutSeconds: 8, memoryMb: 256, access: { table: "read", sendTo: ["probe"], webhookSecret: true } },
    probeWorker: { entry: "functions/http/meta.ts", timeoutSeconds: 40, memoryMb: 384, access: { table: "write", secrets: true } },
    probeTick: { entry: "functions/http/meta.ts", timeoutSeconds: 20, memoryMb: 256, access: { table: "read", sendTo: ["probe"] } },
  },
  routes: [...wiring.routes, { method: "POST", path: "/probe/hooks/github", function: "probeWebhook", auth: "signature", maxBodyBytes: 1024 }],
  queues: [...wiring.queues, { name: "probe", fifo: true, visibilityTimeoutSeconds: 240, maxReceiveCount: 3, urlVariable: "HH_GITOPS_PROBE_QUEUE_URL" }],
  consumers: [...wiring.consumers, { queue: "probe", function: "probeWorker", batchSize: 7 }],
  schedules: [...wiring.schedules, { name: "probeSweep", rateMinutes: 7, function: "probeTick" }],
});

const config = { namePrefix: "hhg-probe", allowedPrincipals: ["123456789012"], scheduleRateMinutes: { probeSweep: 11 } };
const synthesized = synthesize(extended, { config });
const { stack, resources, outputs, logicalId, ofType } = synthesized;
const fnId = (name: string) => logicalId(stack.functions.get(name)!);
const probe = stack.queues.get("probe")!;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("cloud stack from a wiring with more in it", () => {
  it("has the extra route without the IAM authorizer, and outputs it as the webhook URL", () => {
    const route = ofType("AWS::ApiGatewayV2::Route").find(([, r]) => r.Properties!.RouteKey === "POST /probe/hooks/github");
    expect(route?.[1].Properties!.AuthorizationType).toBe("NONE");
    const webhookUrls = Object.entries(outputs).filter(([key]) => key.startsWith("WebhookUrl"));
    expect(webhookUrls.map(([, o]) => JSON.stringify(o.Value)).filter((v) => v.includes("probe/hooks/github"))).toHaveLength(1);
  });

  it("generates the webhook secret and passes the webhook function its ARN, never its value", () => {
    const secretId = logicalId(stack.webhookSecret!);
    expect(resources[secretId]!.Properties!.GenerateSecretString).toBeDefined();
    const env = (resources[fnId("probeWebhook")]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env.HH_GITOPS_WEBHOOK_SECRET_REF).toEqual({ "Fn::Join": ["", ["aws-sm:", ref(secretId)]] });
    for (const [name, spec] of Object.entries(extended.functions).filter(([, f]) => !f.access.webhookSecret)) {
      const other = (resources[fnId(name)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(other, `${name} (${spec.entry})`).not.toHaveProperty("HH_GITOPS_WEBHOOK_SECRET_REF");
    }
    const readers = ofType("AWS::IAM::Policy").filter(([, p]) =>
      (p.Properties!.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement.some((s) => referencedLogicalIds(s.Resource).includes(secretId)),
    );
    const readerRoles = readers.flatMap(([, p]) => referencedLogicalIds(p.Properties!.Roles)).sort();
    const webhookRoles = Object.entries(extended.functions)
      .filter(([, f]) => f.access.webhookSecret)
      .flatMap(([name]) => referencedLogicalIds(resources[fnId(name)]!.Properties!.Role))
      .sort();
    expect(readerRoles).toEqual(webhookRoles);
    expect(readerRoles).toContain(referencedLogicalIds(resources[fnId("probeWebhook")]!.Properties!.Role)[0]);
    expect(outputs.WebhookSecretArn!.Value).toEqual(ref(secretId));
  });

  it("has the extra FIFO queue, its dead-letter queue and the consumer's mapping", () => {
    const queueId = logicalId(probe.queue);
    expect(resources[queueId]!.Properties).toMatchObject({
      QueueName: "hhg-probe-probe.fifo",
      FifoQueue: true,
      VisibilityTimeout: 240,
      RedrivePolicy: { deadLetterTargetArn: getAtt(logicalId(probe.deadLetterQueue), "Arn"), maxReceiveCount: 3 },
    });
    const mapping = ofType("AWS::Lambda::EventSourceMapping").find(([, m]) => referencedLogicalIds(m.Properties!.EventSourceArn).includes(queueId));
    expect(mapping?.[1].Properties).toMatchObject({ FunctionName: ref(fnId("probeWorker")), BatchSize: 7, FunctionResponseTypes: ["ReportBatchItemFailures"] });
    const env = (resources[fnId("probeWorker")]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env).toMatchObject({ HH_GITOPS_MAX_RECEIVE_COUNT: "3", HH_GITOPS_SECRET_NAME_PREFIX: "hedgehog-gitops/" });
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["ProbeQueueUrl", "ProbeDeadLetterQueueUrl"]));
  });

  it("runs the schedule's function at the configured rate", () => {
    const rules = ofType("AWS::Events::Rule").map(([, r]) => r.Properties!);
    expect(rules).toHaveLength(extended.schedules.length);
    expect(rules.find((r) => r.Name === "hhg-probe-probeSweep")).toMatchObject({
      Name: "hhg-probe-probeSweep",
      ScheduleExpression: "rate(11 minutes)",
      State: "ENABLED",
      Targets: [expect.objectContaining({ Arn: getAtt(fnId("probeTick"), "Arn") })],
    });
    const permissions = ofType("AWS::Lambda::Permission").filter(([, p]) => p.Properties!.Principal === "events.amazonaws.com");
    expect(permissions.map(([, p]) => p.Properties!.FunctionName)).toContainEqual(getAtt(fnId("probeTick"), "Arn"));
  });

  it("lets the allowed principals assume a role that may invoke only the IAM routes", () => {
    const role = resources[logicalId(stack.apiInvokerRole!)]!.Properties!;
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain(":iam::123456789012:root");
    const policies = ofType("AWS::IAM::Policy").filter(([, p]) => referencedLogicalIds(p.Properties!.Roles).includes(logicalId(stack.apiInvokerRole!)));
    expect(policies).toHaveLength(1);
    const statements = (policies[0]![1].Properties!.PolicyDocument as { Statement: { Action: string; Resource: unknown[] }[] }).Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe("execute-api:Invoke");
    const invokable = statements[0]!.Resource.map((r) => JSON.stringify(r));
    const iamRoutes = extended.routes.filter((r) => r.auth === "iam");
    expect(invokable).toHaveLength(iamRoutes.length);
    expect(invokable.some((r) => r.includes("/$default/GET/fabrics/*/resources/*/*"))).toBe(true);
    expect(invokable.some((r) => r.includes("probe/hooks") || r.includes("health"))).toBe(false);
    expect(JSON.stringify(outputs.ApiInvokerRoleArn!.Value)).toContain(logicalId(stack.apiInvokerRole!));
  });

  it("lets IAM statements, the invoker role's included, name only this stack's resources", () => {
    expect(iamResourceProblems(resources, "hedgehog-gitops/").problems).toEqual([]);
  });

  it("leaves no cdk-nag finding unacknowledged", () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      expect(pack.validateScope(synthesized.app).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });

  it("acknowledges nothing that cdk-nag would not report", () => {
    // The same stack with acknowledgements switched off: every acknowledgement must match a real finding.
    vi.spyOn(Validations.prototype, "acknowledge").mockImplementation(() => undefined);
    const bare = synthesize(extended, { config });
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(bare.app).violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath ?? "" }))),
    );
    expect(stack.acknowledgements.length).toBeGreaterThan(0);
    for (const a of stack.acknowledgements) {
      const path = a.path.replace(stack.node.id, bare.stack.node.id);
      expect(findings.some((f) => f.id === a.id && (f.path === path || f.path.startsWith(`${path}/`))), `${a.id} on ${a.path}`).toBe(true);
    }
  });

  it("takes its settings from CDK context, and refuses to build from invalid ones", () => {
    const app = new App({ context: { namePrefix: "hhg-ctx", allowedPrincipals: "123456789012", unrelated: "ignored" } });
    expect(configFromContext(app)).toEqual({ namePrefix: "hhg-ctx", allowedPrincipals: "123456789012" });
    const fromContext = new HedgehogGitopsStack(app, "FromContext", { wiring, functionCode: "stub", config: configFromContext(app) });
    expect(fromContext.stackName).toBe("hhg-ctx");
    expect(fromContext.config.allowedPrincipals).toEqual(["123456789012"]);

    const bad = new App({ context: { namePrefix: "-bad-" } });
    expect(() => new HedgehogGitopsStack(bad, "Bad", { wiring, functionCode: "stub", config: configFromContext(bad) })).toThrow(
      /invalid hedgehog-gitops stack configuration:\n- namePrefix/,
    );
  });
});
