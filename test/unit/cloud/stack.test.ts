// The cloud stack built from the real wiring (infra/wiring.ts): one synthesis (stub code, no bundling),
// then the template is read for what DESIGN §12 promises.
import { describe, expect, it } from "vitest";
import { App, Validations } from "aws-cdk-lib";
import { Match } from "aws-cdk-lib/assertions";
import { Queue } from "aws-cdk-lib/aws-sqs";
import { AwsSolutionsChecks, ServerlessChecks } from "cdk-nag";
import { HedgehogGitopsStack } from "../../../infra/cloud/stack.js";
import { wiring } from "../../../infra/wiring.js";
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from "../../../lib/store/table.js";
import { getAtt, iamResourceProblems, ref, referencedLogicalIds, synthesize } from "./template.js";

const synthesized = synthesize(wiring);
const { stack, template, resources, outputs, logicalId, ofType } = synthesized;
const fnId = (name: string) => logicalId(stack.functions.get(name)!);
const queueId = (name: string) => logicalId(stack.queues.get(name)!.queue);
const dlqId = (name: string) => logicalId(stack.queues.get(name)!.deadLetterQueue);

describe("cloud stack from infra/wiring.ts", () => {
  it("has every wiring route, with the IAM authorizer exactly on the iam routes", () => {
    const routes = ofType("AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties!);
    // Plus the catch-all $default route: 404 or 405 with Allow for what no route takes.
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...wiring.routes.map((r) => `${r.method} ${r.path}`), "$default"].sort());
    for (const route of wiring.routes) {
      const deployed = routes.find((r) => r.RouteKey === `${route.method} ${route.path}`)!;
      expect(deployed.AuthorizationType, `${route.method} ${route.path}`).toBe(route.auth === "iam" ? "AWS_IAM" : "NONE");
    }
    expect(routes.find((r) => r.RouteKey === "$default")!.AuthorizationType).toBe("NONE");
  });

  it("sends each route to its wiring function", () => {
    const integrations = Object.fromEntries(ofType("AWS::ApiGatewayV2::Integration"));
    for (const route of ofType("AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties!)) {
      const spec = route.RouteKey === "$default" ? wiring.defaultRoute! : wiring.routes.find((r) => `${r.method} ${r.path}` === route.RouteKey)!;
      const integrationId = referencedLogicalIds(route.Target).find((id) => id in integrations)!;
      expect(referencedLogicalIds(integrations[integrationId]!.Properties!.IntegrationUri)).toContain(fnId(spec.function));
    }
  });

  it("deploys one arm64 function per wiring function, on the newest Node runtime, traced, with its own log group", () => {
    expect(ofType("AWS::Lambda::Function")).toHaveLength(Object.keys(wiring.functions).length);
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const fn = resources[fnId(name)]!.Properties!;
      expect(fn).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Timeout: spec.timeoutSeconds,
        MemorySize: spec.memoryMb,
        TracingConfig: { Mode: "Active" },
      });
      const logGroupId = referencedLogicalIds(fn.LoggingConfig)[0]!;
      expect(resources[logGroupId]!.Properties!.RetentionInDays).toBe(30);
    }
  });

  it("tells each function exactly the table and queues its access allows", () => {
    const tableId = logicalId(stack.table);
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const env = (resources[fnId(name)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      if (spec.access.table) expect(env.HH_GITOPS_TABLE).toEqual(ref(tableId));
      else expect(env).not.toHaveProperty("HH_GITOPS_TABLE");
      for (const q of wiring.queues) {
        if (spec.access.sendTo?.includes(q.name)) expect(env[q.urlVariable], `${name} → ${q.name}`).toEqual(ref(queueId(q.name)));
        else expect(env, `${name} → ${q.name}`).not.toHaveProperty(q.urlVariable);
      }
    }
    for (const consumer of wiring.consumers) {
      const env = (resources[fnId(consumer.function)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.HH_GITOPS_MAX_RECEIVE_COUNT).toBe(String(wiring.queues.find((q) => q.name === consumer.queue)!.maxReceiveCount));
    }
  });

  it("gives every queue a FIFO dead-letter queue, redrive, SQS-managed encryption and TLS only", () => {
    expect(ofType("AWS::SQS::Queue")).toHaveLength(2 * wiring.queues.length);
    for (const q of wiring.queues) {
      expect(resources[queueId(q.name)]!.Properties).toMatchObject({
        QueueName: `hedgehog-gitops-${q.name}.fifo`,
        FifoQueue: true,
        VisibilityTimeout: q.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: getAtt(dlqId(q.name), "Arn"), maxReceiveCount: q.maxReceiveCount },
      });
      expect(resources[dlqId(q.name)]!.Properties).toMatchObject({ QueueName: `hedgehog-gitops-${q.name}-dlq.fifo`, FifoQueue: true, SqsManagedSseEnabled: true });
      for (const id of [queueId(q.name), dlqId(q.name)]) {
        template.hasResourceProperties("AWS::SQS::QueuePolicy", {
          Queues: [ref(id)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } }, Resource: getAtt(id, "Arn") }),
            ]),
          },
        });
      }
    }
  });

  it("maps every consumer with its batch size and batch item failures, visibility ≥ 6 × the consumer's timeout", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping").map(([, m]) => m.Properties!);
    expect(mappings).toHaveLength(wiring.consumers.length);
    for (const consumer of wiring.consumers) {
      const mapping = mappings.find((m) => referencedLogicalIds(m.EventSourceArn)[0] === queueId(consumer.queue))!;
      expect(mapping).toMatchObject({
        FunctionName: ref(fnId(consumer.function)),
        BatchSize: consumer.batchSize,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
      });
      const visibility = resources[queueId(consumer.queue)]!.Properties!.VisibilityTimeout as number;
      const timeout = resources[fnId(consumer.function)]!.Properties!.Timeout as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    }
  });

  it("declares the table from lib/store/table.ts: on-demand, PITR, TTL, both indexes, AWS-managed encryption, retained", () => {
    const tables = ofType("AWS::DynamoDB::Table");
    expect(tables).toHaveLength(1);
    const table = tables[0]![1];
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      SSESpecification: { SSEEnabled: true },
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: "HASH" },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: "RANGE" },
      ],
    });
    const indexes = table.Properties!.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown; Projection: unknown }[];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(Object.values(TABLE_INDEXES).map((i) => i.name).sort());
    for (const index of Object.values(TABLE_INDEXES)) {
      expect(indexes.find((i) => i.IndexName === index.name)).toMatchObject({
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      });
    }
  });

  it("alarms on every dead-letter queue's depth and every function's errors", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties!);
    for (const q of wiring.queues) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: "ApproximateNumberOfMessagesVisible",
          Namespace: "AWS/SQS",
          Dimensions: [{ Name: "QueueName", Value: getAtt(dlqId(q.name), "QueueName") }],
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        }),
      );
    }
    for (const name of Object.keys(wiring.functions)) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: "Errors",
          Namespace: "AWS/Lambda",
          Dimensions: [{ Name: "FunctionName", Value: ref(fnId(name)) }],
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
        }),
      );
    }
  });

  it("alarms on failed runs and has one dashboard of the functions' own metrics (DESIGN §13)", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties!);
    expect(alarms).toContainEqual(
      expect.objectContaining({
        MetricName: "RunsFailed",
        Namespace: "HedgehogGitOps",
        Dimensions: [{ Name: "service", Value: "hedgehog-gitops" }],
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
    const dashboards = ofType("AWS::CloudWatch::Dashboard");
    expect(dashboards).toHaveLength(1);
    // The body is a Fn::Join of literal JSON pieces and references: its literal text names every metric.
    const body = JSON.stringify(dashboards[0]![1].Properties!.DashboardBody);
    for (const metric of ["Runs", "StageDuration", "Applies", "Prunes", "Drifted", "Rejected", "ClusterRequests", "ClusterThrottled", "GitHubRequests", "GitHubRateLimitRemaining", "Commits", "ApproximateNumberOfMessagesVisible", "Errors"]) {
      expect(body).toContain(metric);
    }
  });

  it("logs API access as JSON and throttles the stage", () => {
    const stages = ofType("AWS::ApiGatewayV2::Stage");
    expect(stages).toHaveLength(1);
    const stage = stages[0]![1];
    expect(stage.Properties).toMatchObject({ StageName: "$default", AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 } });
    const accessLog = stage.Properties!.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(JSON.parse(accessLog.Format)).toMatchObject({ requestId: "$context.requestId", routeKey: "$context.routeKey", status: "$context.status" });
  });

  it("gives every function the trust rules: cloud deployment, the secret name prefix IAM grants, the host allow-list", () => {
    for (const name of Object.keys(wiring.functions)) {
      const env = (resources[fnId(name)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env, name).toMatchObject({
        HH_GITOPS_DEPLOYMENT: "cloud",
        HH_GITOPS_SECRET_NAME_PREFIX: "hedgehog-gitops/",
        HH_GITOPS_ALLOWED_HOSTS: "github.com,api.github.com,codeload.github.com",
      });
    }
    // The resolver allows aws-sm:hedgehog-gitops/<fabric>/<name>; IAM allows GetSecretValue on hedgehog-gitops/* only.
    const secretResources = ofType("AWS::IAM::Policy")
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement)
      .filter((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"))
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r));
    const prefixPattern = secretResources.filter((r) => r.includes(":secret:"));
    expect(prefixPattern.length).toBeGreaterThan(0);
    for (const r of prefixPattern) expect(r).toMatch(/:secret:hedgehog-gitops\/\*"/);
  });

  it("lets IAM statements name only this stack's resources, with two documented exceptions", () => {
    const { statements, problems } = iamResourceProblems(resources, "hedgehog-gitops/");
    expect(problems).toEqual([]);
    expect(statements).toBeGreaterThan(Object.keys(wiring.functions).length);
  });

  it("grants each function's role exactly its access, nothing from managed policies", () => {
    for (const [, role] of ofType("AWS::IAM::Role")) expect(role.Properties!.ManagedPolicyArns).toBeUndefined();
    const tableId = logicalId(stack.table);
    for (const [name, spec] of Object.entries(wiring.functions)) {
      const roleId = referencedLogicalIds(resources[fnId(name)]!.Properties!.Role)[0]!;
      const statements = ofType("AWS::IAM::Policy")
        .filter(([, p]) => referencedLogicalIds(p.Properties!.Roles).includes(roleId))
        .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement);
      const touchesTable = statements.some((s) => referencedLogicalIds(s.Resource).includes(tableId));
      expect(touchesTable, name).toBe(spec.access.table !== undefined);
      const writes = statements.some((s) => [s.Action].flat().includes("dynamodb:PutItem"));
      expect(writes, name).toBe(spec.access.table === "write");
      const sendsTo = new Set(
        statements.filter((s) => [s.Action].flat().includes("sqs:SendMessage")).flatMap((s) => referencedLogicalIds(s.Resource)),
      );
      expect([...sendsTo].sort(), name).toEqual((spec.access.sendTo ?? []).map(queueId).sort());
      const readsSecrets = statements.some((s) => [s.Action].flat().includes("secretsmanager:GetSecretValue"));
      expect(readsSecrets, name).toBe(Boolean(spec.access.secrets || spec.access.webhookSecret));
    }
  });

  it("creates the events bus; the functions that publish may put events on it and on nothing else, and are told its name", () => {
    const buses = ofType("AWS::Events::EventBus");
    expect(buses).toHaveLength(1);
    const [busId, bus] = buses[0]!;
    expect(bus.Properties).toMatchObject({ Name: "hedgehog-gitops" });
    expect(logicalId(stack.eventBus!)).toBe(busId);
    expect(outputs.EventBusName!.Value).toEqual(ref(busId));
    const publishers = Object.entries(wiring.functions).filter(([, spec]) => spec.access.events).map(([name]) => name);
    expect(publishers).toContain("reconcileWorker");
    for (const name of Object.keys(wiring.functions)) {
      const roleId = referencedLogicalIds(resources[fnId(name)]!.Properties!.Role)[0]!;
      const puts = ofType("AWS::IAM::Policy")
        .filter(([, p]) => referencedLogicalIds(p.Properties!.Roles).includes(roleId))
        .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement)
        .filter((s) => [s.Action].flat().some((a) => a === "events:PutEvents" || a === "events:*" || a === "*"));
      const env = (resources[fnId(name)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      if (publishers.includes(name)) {
        expect(puts.map((s) => [s.Action, s.Resource]), name).toEqual([["events:PutEvents", getAtt(busId, "Arn")]]);
        expect(env.HH_GITOPS_EVENT_BUS_NAME, name).toEqual(ref(busId));
      } else {
        expect(puts, name).toEqual([]);
        expect(env, name).not.toHaveProperty("HH_GITOPS_EVENT_BUS_NAME");
      }
    }
  });

  it("runs every schedule's function at the wiring's rate", () => {
    const rules = ofType("AWS::Events::Rule").map(([, r]) => r.Properties!);
    expect(rules).toHaveLength(wiring.schedules.length);
    for (const schedule of wiring.schedules) {
      expect(rules.find((r) => r.Name === `hedgehog-gitops-${schedule.name}`), schedule.name).toMatchObject({
        ScheduleExpression: `rate(${schedule.rateMinutes} minute${schedule.rateMinutes === 1 ? "" : "s"})`,
        Targets: [expect.objectContaining({ Arn: getAtt(fnId(schedule.function), "Arn") })],
      });
    }
  });

  it("outputs a webhook URL for every route the handler authenticates itself", () => {
    const webhookUrls = Object.entries(outputs)
      .filter(([key]) => key.startsWith("WebhookUrl"))
      .map(([, o]) => JSON.stringify(o.Value));
    const signed = wiring.routes.filter((r) => r.auth === "signature");
    expect(webhookUrls).toHaveLength(signed.length);
    for (const route of signed) expect(webhookUrls.some((url) => url.endsWith(`${route.path}"]]}`)), route.path).toBe(true);
  });

  it("outputs the API URL, the table name and every queue URL", () => {
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(["ApiUrl", "TableName"]));
    expect(outputs.TableName!.Value).toEqual(ref(logicalId(stack.table)));
    for (const q of wiring.queues) {
      const urls = Object.values(outputs).map((o) => JSON.stringify(o.Value));
      expect(urls).toContain(JSON.stringify(ref(queueId(q.name))));
      expect(urls).toContain(JSON.stringify(ref(dlqId(q.name))));
    }
  });

  it("leaves no cdk-nag finding unacknowledged, and every acknowledgement has a reason", () => {
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(synthesized.app);
      expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(", ")}`)).toEqual([]);
    }
    for (const a of stack.acknowledgements) expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
  });

  it("fails the synthesis when a cdk-nag finding is not acknowledged", () => {
    const app = new App();
    const other = new HedgehogGitopsStack(app, "WithFinding", { wiring, functionCode: "stub" });
    new Queue(other, "UnacknowledgedQueue");
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
