// The cloud stack (DESIGN §12), built from a wiring (infra/wiring.ts): every function, route, queue,
// consumer and schedule declared there exists here, with nothing hand-listed. Adding to the wiring is
// enough; this file only knows how each kind of thing is deployed.
import { join, resolve } from "node:path";
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination, type IHttpRouteAuthorizer } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer, HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type {
  UserPoolClient,
  UserPoolDomain} from "aws-cdk-lib/aws-cognito";
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClientIdentityProvider
} from "aws-cdk-lib/aws-cognito";
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TreatMissingData, type IMetric } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { EventBus, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction as LambdaFunctionTarget } from "aws-cdk-lib/aws-events-targets";
import { AccountPrincipal, ArnPrincipal, CompositePrincipal, PolicyStatement, Role, ServicePrincipal, type IPrincipal } from "aws-cdk-lib/aws-iam";
import { Code, Function as LambdaFunction, Tracing, type FunctionOptions } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Topic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { flattenCfnReference } from "cdk-nag/lib/utils/flatten-cfn-reference.js";
import type { Construct, IConstruct } from "constructs";
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from "../../lib/observability/metric-names.js";
import { TTL_ATTRIBUTE, createTableInput } from "../../lib/store/table.js";
import { queueNames } from "../local/provision.js";
import type { FunctionSpec, QueueSpec, RouteSpec, Wiring } from "../wiring-types.js";
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME, REPOSITORY_ROOT, nodejsBundlingOptions } from "./bundling.js";
import { parseStackConfig, type StackConfig, type StackConfigInput } from "./config.js";

/**
 * "bundle": each function is its esbuild bundle (what deploys). "stub": inline placeholder code, so a test
 * of the template's shape does not pay for bundling; the synth and test/unit/cloud/bundling.test.ts prove
 * the real bundles.
 */
export type FunctionCode = "bundle" | "stub";

export interface HedgehogGitopsStackProps extends StackProps {
  readonly wiring: Wiring;
  /** Deploy-time settings (see config.ts); app.ts passes the CDK context. */
  readonly config?: StackConfigInput | Readonly<Record<string, unknown>>;
  readonly functionCode?: FunctionCode;
}

export interface DeployedQueue {
  readonly spec: QueueSpec;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/** How the console signs in with auth "jwt" (the console function's environment). */
export interface ConsoleSignIn {
  readonly clientId: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly logoutEndpoint?: string;
}

/** A cdk-nag finding accepted on purpose, with the reason; listed so a test and a reviewer can read them all. */
export interface Acknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

/** Actions per table access level. Scan is absent on purpose: every access pattern has a key or an index. */
const TABLE_ACTIONS = {
  read: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
  write: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
  ],
} as const;

/** The API is for operators, CI and GitHub webhooks: a low steady rate, bursts for a busy push. */
const API_THROTTLE = { rateLimit: 20, burstLimit: 40 } as const;

/** Logged per API request; JSON so CloudWatch Logs Insights can query fields. Never bodies or headers. */
const ACCESS_LOG_FIELDS = {
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  sourceIp: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  callerArn: "$context.identity.userArn",
  authorizerError: "$context.authorizer.error",
  integrationStatus: "$context.integrationStatus",
  integrationError: "$context.integrationErrorMessage",
};

const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");

/** `/fabrics/{id}` → `/fabrics/*`: execute-api ARNs name the concrete path, so a parameter matches any segment. */
const executeApiPath = (path: string): string => path.replace(/\{[^}]+\}/g, "*");

export class HedgehogGitopsStack extends Stack {
  readonly config: StackConfig;
  readonly wiring: Wiring;
  readonly table: Table;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions = new Map<string, LambdaFunction>();
  readonly queues = new Map<string, DeployedQueue>();
  readonly webhookSecret: Secret | undefined;
  readonly apiInvokerRole: Role | undefined;
  /** The bus the workers publish events to (DESIGN §17); users attach their own rules to it. */
  readonly eventBus: EventBus | undefined;
  /** auth "jwt" without an issuer: the operators' user pool, its console client and hosted-UI domain. */
  userPool: UserPool | undefined;
  consoleClient: UserPoolClient | undefined;
  userPoolDomain: UserPoolDomain | undefined;
  readonly acknowledgements: Acknowledgement[] = [];

  constructor(scope: Construct, id: string, props: HedgehogGitopsStackProps) {
    const config = parseStackConfig(props.config ?? {}, props.wiring);
    super(scope, id, {
      description: "Hedgehog GitOps engine (infra/cloud, built from infra/wiring.ts)",
      ...props,
      // The prefix names the stack too, so two deployments with different prefixes share an account.
      stackName: props.stackName ?? config.namePrefix,
    });
    this.config = config;
    this.wiring = props.wiring;
    const { wiring } = props;
    const alarmTopic = config.alarmTopicArn ? Topic.fromTopicArn(this, "AlarmTopic", config.alarmTopicArn) : undefined;

    this.table = this.declareTable();
    for (const spec of wiring.queues) this.queues.set(spec.name, this.declareQueue(spec));

    // The stack generates the webhook secret; functions get its ARN, never its value.
    this.webhookSecret = Object.values(wiring.functions).some((f) => f.access.webhookSecret)
      ? new Secret(this, "WebhookSecret", {
          description: `${config.namePrefix}: shared secret of the GitHub webhook (HMAC-SHA256 of the payload)`,
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
        })
      : undefined;
    if (this.webhookSecret) {
      this.acknowledge(this.webhookSecret, "AwsSolutions-SMG4", "The webhook secret must also change in GitHub's webhook settings; a rotation Lambda cannot do that, so rotation is manual (docs/DEPLOY.md).");
    }

    // Events for notifications: the stack's own bus, named like the stack; users wire rules (SNS, Chatbot) to it.
    this.eventBus = Object.values(wiring.functions).some((f) => f.access.events)
      ? new EventBus(this, "EventBus", { eventBusName: config.namePrefix, description: `${config.namePrefix}: run finished, resource drifted, resource rejected, object pruned (docs/EVENTS.md)` })
      : undefined;

    for (const [name, spec] of Object.entries(wiring.functions)) {
      this.functions.set(name, this.declareFunction(name, spec, props.functionCode ?? "bundle"));
    }

    ({ api: this.api, stage: this.apiStage } = this.declareApi(wiring.routes));
    // Results on commits and events link to the run's page in the console (the API's own URL unless set).
    for (const [name, spec] of Object.entries(wiring.functions)) {
      if (spec.access.events) this.functions.get(name)!.addEnvironment("HH_GITOPS_CONSOLE_URL", config.consoleUrl ?? this.apiStage.url);
    }

    for (const consumer of wiring.consumers) {
      const deployed = this.queues.get(consumer.queue)!;
      this.functions.get(consumer.function)!.addEventSource(
        new SqsEventSource(deployed.queue, { batchSize: consumer.batchSize, reportBatchItemFailures: true }),
      );
    }

    for (const schedule of wiring.schedules) {
      const fn = this.functions.get(schedule.function)!;
      const minutes = config.scheduleRateMinutes[schedule.name] ?? schedule.rateMinutes;
      const rule = new Rule(this, `${pascal(schedule.name)}Schedule`, {
        ruleName: `${config.namePrefix}-${schedule.name}`,
        description: `${schedule.name}: every ${minutes} min, runs ${schedule.function}`,
        schedule: Schedule.rate(Duration.minutes(minutes)),
        // A tick older than the next one is worthless: the next tick does the same work.
        targets: [new LambdaFunctionTarget(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(minutes) })],
      });
      this.acknowledge(rule, "Serverless-EventBusDLQ", `A schedule tick that cannot be delivered is superseded by the next one ${minutes} min later; a dead-letter queue would only collect stale ticks.`);
    }
    const scheduled = new Set(wiring.schedules.map((s) => s.function));
    for (const [name, fn] of this.functions) {
      this.acknowledge(
        fn,
        "Serverless-LambdaDLQ",
        scheduled.has(name)
          ? "Invoked asynchronously by its schedule: a failed tick is superseded by the next tick, which redoes the same level-triggered work; the Errors alarm reports failures."
          : "Invoked synchronously (API Gateway) or by an SQS event source mapping; Lambda's dead-letter queue applies to asynchronous invocations only. SQS failures go to the queue's own dead-letter queue.",
      );
    }
    for (const consumer of wiring.consumers) {
      this.acknowledge(
        this.functions.get(consumer.function)!,
        "Serverless-LambdaEventSourceMappingDestination",
        "On-failure destinations exist for stream and Kafka sources only; for SQS, failed messages move to the queue's redrive dead-letter queue, which has a depth alarm.",
      );
    }

    // Alarms: a message in a dead-letter queue, or any function error, needs a person.
    const alarm = (construct: string, alarmName: string, description: string, metric: IMetric) => {
      const created = new Alarm(this, construct, {
        alarmName: `${config.namePrefix}-${alarmName}`,
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      if (alarmTopic) created.addAlarmAction(new SnsAction(alarmTopic));
    };
    for (const [name, deployed] of this.queues) {
      alarm(
        `${pascal(name)}DeadLetterQueueAlarm`,
        `${name}-dead-letters`,
        `Messages of the ${name} queue gave up after ${deployed.spec.maxReceiveCount} receives; inspect and redrive them.`,
        deployed.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum" }),
      );
    }
    for (const [name, fn] of this.functions) {
      alarm(`${pascal(name)}ErrorsAlarm`, `${name}-errors`, `${name} failed at least once in 5 minutes; see its log group.`, fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }));
    }

    // A failed run (RunsFailed, lib/observability/metrics.ts) needs a person too: its run record says why.
    alarm("FailedRunsAlarm", "failed-runs", "At least one run failed in 5 minutes; GET /fabrics/{id}/runs shows which and why.", this.appMetric(METRIC.runsFailed, {}, "Sum"));
    this.declareDashboard();

    this.apiInvokerRole = config.allowedPrincipals.length > 0 ? this.declareApiInvokerRole(wiring.routes) : undefined;
    this.declareOutputs(wiring);
  }

  /** A metric the functions publish (EMF, lib/observability/metrics.ts), over 5 minutes. */
  private appMetric(name: string, dimensions: Record<string, string>, statistic: string): Metric {
    return new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: METRICS_SERVICE, ...dimensions }, statistic, period: Duration.minutes(5) });
  }

  /** One dashboard: runs, stages, what reconcile did to the clusters, dead letters and function errors. */
  private declareDashboard(): Dashboard {
    const search = (name: string, dimensions: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimensions}} MetricName="${name}"', '${statistic}', 300)`,
        label,
        usingMetrics: {},
        period: Duration.minutes(5),
      });
    const width = 12;
    const stageOutcome = "stage,outcome";
    return new Dashboard(this, "Dashboard", {
      dashboardName: `${this.config.namePrefix}-overview`,
      widgets: [
        [
          new GraphWidget({ title: "Runs by kind and outcome", width, left: [search(METRIC.runs, "kind,outcome", "Sum", "")] }),
          new GraphWidget({ title: "Stage duration (ms, p90) by stage and outcome", width, left: [search(METRIC.stageDuration, stageOutcome, "p90", "")] }),
        ],
        [
          new GraphWidget({
            title: "Reconcile: applies, prunes, drifted, rejected",
            width,
            left: [METRIC.applies, METRIC.prunes, METRIC.drifted, METRIC.rejected].map((name) => this.appMetric(name, { stage: "reconcile", outcome: "succeeded" }, "Sum")),
          }),
          new GraphWidget({
            title: "Cluster requests and 429s; commits and rejected documents",
            width,
            left: [search(METRIC.clusterRequests, stageOutcome, "Sum", ""), search(METRIC.clusterThrottled, stageOutcome, "Sum", "")],
            right: [this.appMetric(METRIC.commits, { stage: "ingest", outcome: "succeeded" }, "Sum"), this.appMetric(METRIC.rejected, { stage: "ingest", outcome: "succeeded" }, "Sum")],
          }),
        ],
        [
          new GraphWidget({
            title: "GitHub requests (sum) and the lowest rate-limit remaining, by stage and outcome",
            width,
            left: [search(METRIC.githubRequests, stageOutcome, "Sum", "")],
            right: [search(METRIC.githubRateLimitRemaining, stageOutcome, "Minimum", "")],
          }),
        ],
        [
          new GraphWidget({
            title: "Dead-letter queue depth",
            width,
            left: [...this.queues].map(([name, deployed]) => deployed.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: "Maximum", label: name })),
          }),
          new GraphWidget({
            title: "Function errors",
            width,
            left: [...this.functions].map(([name, fn]) => fn.metricErrors({ period: Duration.minutes(5), statistic: "Sum", label: name })),
          }),
        ],
      ],
    });
  }

  /** The table, from lib/store/table.ts — the same definition the local stack creates. */
  private declareTable(): Table {
    const definition = createTableInput("defined-by-cloudformation");
    const attributeType = (name: string): AttributeType => {
      const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
      if (type === "S") return AttributeType.STRING;
      if (type === "N") return AttributeType.NUMBER;
      if (type === "B") return AttributeType.BINARY;
      throw new Error(`lib/store/table.ts: attribute ${name} has no type`);
    };
    const key = (schema: readonly { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined, type: "HASH" | "RANGE") => {
      const name = schema?.find((k) => k.KeyType === type)?.AttributeName;
      return name === undefined ? undefined : { name, type: attributeType(name) };
    };
    const partitionKey = key(definition.KeySchema, "HASH");
    if (!partitionKey) throw new Error("lib/store/table.ts: the table has no partition key");
    const sortKey = key(definition.KeySchema, "RANGE");
    const table = new Table(this, "Table", {
      // No fixed name: the table outlives the stack (RETAIN), and a fixed name would block re-creating the stack.
      partitionKey,
      ...(sortKey ? { sortKey } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // TTL is not part of CreateTable; it comes from the module's own constant.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryption.AWS_MANAGED,
      // Fabric state and history must survive a mistaken `cdk destroy`.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      const indexPartitionKey = key(index.KeySchema, "HASH");
      if (!index.IndexName || !indexPartitionKey) throw new Error("lib/store/table.ts: an index has no name or partition key");
      const indexSortKey = key(index.KeySchema, "RANGE");
      table.addGlobalSecondaryIndex({
        indexName: index.IndexName,
        partitionKey: indexPartitionKey,
        ...(indexSortKey ? { sortKey: indexSortKey } : {}),
        projectionType: index.Projection?.ProjectionType === "KEYS_ONLY" ? ProjectionType.KEYS_ONLY : ProjectionType.ALL,
      });
    }
    return table;
  }

  /** A FIFO queue and its FIFO dead-letter queue, named as the local stack names them. */
  private declareQueue(spec: QueueSpec): DeployedQueue {
    const names = queueNames(this.config.namePrefix, spec);
    const id = pascal(spec.name);
    const deadLetterQueue = new Queue(this, `${id}DeadLetterQueue`, {
      queueName: names.dlq,
      fifo: true,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to notice the alarm, fix the cause and redrive.
      retentionPeriod: Duration.days(14),
    });
    this.acknowledge(deadLetterQueue, "Serverless-SQSRedrivePolicy", `The dead-letter queue of the ${spec.name} queue is the end of the line: it has a depth alarm, not a further dead-letter queue.`);
    const queue = new Queue(this, `${id}Queue`, {
      queueName: names.main,
      fifo: true,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: spec.maxReceiveCount },
    });
    return { spec, queue, deadLetterQueue };
  }

  private environmentFor(name: string, spec: FunctionSpec): Record<string, string> {
    const environment: Record<string, string> = {
      // Stack traces point at the TypeScript sources (the bundles ship their source maps).
      NODE_OPTIONS: "--enable-source-maps",
    };
    if (spec.access.table) environment.HH_GITOPS_TABLE = this.table.tableName;
    for (const queueName of spec.access.sendTo ?? []) {
      const deployed = this.queues.get(queueName)!;
      environment[deployed.spec.urlVariable] = deployed.queue.queueUrl;
    }
    // A worker needs to know when a delivery is the last one before the dead-letter queue.
    const receiveCounts = new Set(
      this.wiring.consumers.filter((c) => c.function === name).map((c) => this.queues.get(c.queue)!.spec.maxReceiveCount),
    );
    if (receiveCounts.size > 1) throw new Error(`function ${name} consumes queues with different maxReceiveCount; HH_GITOPS_MAX_RECEIVE_COUNT cannot be one number`);
    for (const count of receiveCounts) environment.HH_GITOPS_MAX_RECEIVE_COUNT = String(count);
    if (spec.access.webhookSecret) environment.HH_GITOPS_WEBHOOK_SECRET_REF = `aws-sm:${this.webhookSecret!.secretArn}`;
    if (spec.access.events) environment.HH_GITOPS_EVENT_BUS_NAME = this.eventBus!.eventBusName;
    // The trust rules (DESIGN §14), for every function: the API checks registrations with them, the
    // workers again before they act. The resolver allows exactly what IAM grants: <prefix>/<fabric>/<name>.
    environment.HH_GITOPS_DEPLOYMENT = "cloud";
    environment.HH_GITOPS_SECRET_NAME_PREFIX = this.config.secretNamePrefix;
    environment.HH_GITOPS_ALLOWED_HOSTS = this.config.allowedHosts.join(",");
    // The console's sign-in endpoints are added in declareApi, once the user pool and the API exist.
    if (spec.access.console) environment.HH_GITOPS_CONSOLE_AUTH = this.config.auth;
    return environment;
  }

  private declareFunction(name: string, spec: FunctionSpec, code: FunctionCode): LambdaFunction {
    const id = pascal(name);
    const functionName = `${this.config.namePrefix}-${name}`;
    if (functionName.length > 64) throw new Error(`function name ${functionName} is longer than Lambda's 64 characters; shorten namePrefix`);
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: RetentionDays.ONE_MONTH });
    // One role per function, holding exactly what its wiring `access` declares (no managed policies).
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${functionName}: ${spec.entry}`,
    });
    logGroup.grantWrite(role);
    const options: FunctionOptions = {
      functionName,
      description: spec.entry,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: this.environmentFor(name, spec),
    };
    const fn =
      code === "bundle"
        ? new NodejsFunction(this, id, {
            ...options,
            runtime: LAMBDA_RUNTIME,
            entry: resolve(REPOSITORY_ROOT, spec.entry),
            handler: "handler",
            projectRoot: REPOSITORY_ROOT,
            depsLockFilePath: join(REPOSITORY_ROOT, "package-lock.json"),
            bundling: nodejsBundlingOptions(),
          })
        : new LambdaFunction(this, id, {
            ...options,
            runtime: LAMBDA_RUNTIME,
            handler: "index.handler",
            code: Code.fromInline("exports.handler = async () => { throw new Error('stub: synthesized for a template test'); };"),
          });

    if (spec.access.table) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: [...TABLE_ACTIONS[spec.access.table]],
          // The table and each of its indexes by name: no index/* wildcard.
          resources: [this.table.tableArn, ...this.tableIndexNames().map((index) => `${this.table.tableArn}/index/${index}`)],
        }),
      );
    }
    for (const queueName of spec.access.sendTo ?? []) this.queues.get(queueName)!.queue.grantSendMessages(role);
    if (spec.access.webhookSecret) this.webhookSecret!.grantRead(role);
    // PutEvents on the stack's bus only: not the default bus, not another bus of the account.
    if (spec.access.events) role.addToPrincipalPolicy(new PolicyStatement({ actions: ["events:PutEvents"], resources: [this.eventBus!.eventBusArn] }));
    if (spec.access.secrets) {
      // Fabric secrets are created by operators after the deploy, under the prefix; their ARNs end in a
      // random suffix, so only a prefix pattern can name them.
      const fabricSecrets = this.formatArn({
        service: "secretsmanager",
        resource: "secret",
        resourceName: `${this.config.secretNamePrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ["secretsmanager:GetSecretValue"], resources: [fabricSecrets] }));
      this.acknowledgeWildcardResources(role, [fabricSecrets], `Fabric secrets live under "${this.config.secretNamePrefix}" and are created after the deploy; their ARNs end in a random suffix, so only this prefix pattern can name them.`);
    }
    // Tracing.ACTIVE adds xray:PutTraceSegments/PutTelemetryRecords on "*": X-Ray has no resource-level permissions.
    this.acknowledge(role, "AwsSolutions-IAM5[Resource::*]", "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (added by Tracing.ACTIVE); this '*' applies to those two actions only.");
    return fn;
  }

  private tableIndexNames(): string[] {
    return (createTableInput("defined-by-cloudformation").GlobalSecondaryIndexes ?? []).map((i) => i.IndexName!);
  }

  private declareApi(routes: readonly RouteSpec[]): { api: HttpApi; stage: HttpStage } {
    const api = new HttpApi(this, "Api", {
      apiName: this.config.namePrefix,
      description: "Hedgehog GitOps API (routes from infra/wiring.ts)",
      // The stage is declared below, with access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, "ApiAccessLogs", { retention: RetentionDays.ONE_MONTH });
    const stage = new HttpStage(this, "ApiStage", {
      httpApi: api,
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)) },
    });

    const jwt = this.config.auth === "jwt" ? this.declareJwtAuth(api) : undefined;
    if (jwt) {
      for (const [name, spec] of Object.entries(this.wiring.functions)) {
        if (!spec.access.console) continue;
        const fn = this.functions.get(name)!;
        fn.addEnvironment("HH_GITOPS_OIDC_CLIENT_ID", jwt.console.clientId);
        fn.addEnvironment("HH_GITOPS_OIDC_AUTHORIZATION_ENDPOINT", jwt.console.authorizationEndpoint);
        fn.addEnvironment("HH_GITOPS_OIDC_TOKEN_ENDPOINT", jwt.console.tokenEndpoint);
        if (jwt.console.logoutEndpoint) fn.addEnvironment("HH_GITOPS_OIDC_LOGOUT_ENDPOINT", jwt.console.logoutEndpoint);
      }
    }
    const authorizers: Record<RouteSpec["auth"], IHttpRouteAuthorizer> = {
      // iam: SigV4, the caller's IAM identity needs execute-api:Invoke on the route (docs/DEPLOY.md);
      // jwt: a token of the stack's user pool (or the configured issuer) for this API's audience.
      iam: jwt ? jwt.authorizer : new HttpIamAuthorizer(),
      none: new HttpNoneAuthorizer(),
      // The handler verifies the request's signature itself (the GitHub webhook HMAC).
      signature: new HttpNoneAuthorizer(),
    };
    const integrations = new Map<string, HttpLambdaIntegration>();
    const integrationOf = (fn: string) => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${pascal(fn)}Integration`, this.functions.get(fn)!);
        integrations.set(fn, integration);
      }
      return integration;
    };
    for (const route of routes) {
      const integration = integrationOf(route.function);
      const [created] = api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer: authorizers[route.auth] });
      if (route.auth !== "iam" && created) {
        this.acknowledge(
          created,
          "AwsSolutions-APIG4",
          route.auth === "none"
            ? `${route.method} ${route.path} is public by its declaration in infra/wiring.ts (auth "none"); public routes (health, API description, the console's static files) reveal and change nothing.`
            : `${route.method} ${route.path} is called by GitHub, which cannot sign with SigV4; the handler verifies the HMAC signature of the raw body with the stack's webhook secret.`,
        );
      }
    }
    const fallback = this.wiring.defaultRoute;
    if (fallback) {
      const route = new HttpRoute(this, "DefaultRoute", { httpApi: api, routeKey: HttpRouteKey.DEFAULT, integration: integrationOf(fallback.function), authorizer: new HttpNoneAuthorizer() });
      this.acknowledge(
        route,
        "AwsSolutions-APIG4",
        "The $default route only answers requests no other route takes: 404 or 405 (with Allow) as problem+json, from the route table that /openapi.json publishes anyway. It reads and changes nothing.",
      );
    }
    return { api, stage };
  }

  /**
   * auth "jwt": a JWT authorizer for every non-public route. Without an issuer the stack creates the
   * operators' Cognito user pool (no self sign-up, MFA required) and a public app client for the console
   * (authorization code with PKCE through the hosted UI, redirecting to the API's own URL).
   */
  private declareJwtAuth(api: HttpApi): { authorizer: HttpJwtAuthorizer; console: ConsoleSignIn } {
    const settings = this.config.jwt;
    if (settings?.issuer) {
      const audience = settings.audience!;
      return {
        authorizer: new HttpJwtAuthorizer("JwtAuthorizer", settings.issuer, { jwtAudience: [...audience], authorizerName: `${this.config.namePrefix}-jwt` }),
        console: {
          clientId: settings.clientId ?? audience[0]!,
          authorizationEndpoint: settings.authorizationEndpoint!,
          tokenEndpoint: settings.tokenEndpoint!,
          ...(settings.logoutEndpoint ? { logoutEndpoint: settings.logoutEndpoint } : {}),
        },
      };
    }
    const plus = settings?.featurePlan === "plus";
    const pool = new UserPool(this, "UserPool", {
      userPoolName: `${this.config.namePrefix}-operators`,
      // Operators are invited by an administrator; nobody signs themselves up to a network's control plane.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: { minLength: 14, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: plus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      // The operators' accounts outlive a mistaken `cdk destroy`, like the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (!plus) {
      this.acknowledge(pool, "AwsSolutions-COG8", "The Plus feature plan (threat protection) is priced per monthly active user; this pool already requires MFA and has no self sign-up. Set jwt.featurePlan to \"plus\" to enable it (docs/DEPLOY.md).");
    }
    const domain = pool.addDomain("HostedUi", { cognitoDomain: { domainPrefix: settings?.domainPrefix ?? `${this.config.namePrefix}-${this.account}` } });
    // The console is served by this API at its root; Cognito redirects back there with the code.
    const consoleUrl = `${api.apiEndpoint}/`;
    const client = pool.addClient("ConsoleClient", {
      userPoolClientName: `${this.config.namePrefix}-console`,
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL],
        callbackUrls: [consoleUrl, ...(settings?.callbackUrls ?? [])],
        logoutUrls: [consoleUrl, ...(settings?.callbackUrls ?? [])],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    this.userPool = pool;
    this.consoleClient = client;
    this.userPoolDomain = domain;
    const base = domain.baseUrl();
    return {
      // Cognito access tokens carry client_id instead of aud; API Gateway accepts either as the audience.
      authorizer: new HttpJwtAuthorizer("JwtAuthorizer", `https://cognito-idp.${this.region}.${this.urlSuffix}/${pool.userPoolId}`, {
        jwtAudience: [client.userPoolClientId],
        authorizerName: `${this.config.namePrefix}-jwt`,
      }),
      console: { clientId: client.userPoolClientId, authorizationEndpoint: `${base}/oauth2/authorize`, tokenEndpoint: `${base}/oauth2/token`, logoutEndpoint: `${base}/logout` },
    };
  }

  /** A role the allowed principals assume to call the IAM routes (HTTP APIs have no resource policies). */
  private declareApiInvokerRole(routes: readonly RouteSpec[]): Role {
    const principals: IPrincipal[] = this.config.allowedPrincipals.map((p) => (/^\d{12}$/.test(p) ? new AccountPrincipal(p) : new ArnPrincipal(p)));
    const role = new Role(this, "ApiInvokerRole", {
      assumedBy: new CompositePrincipal(...principals),
      description: `${this.config.namePrefix}: call the IAM-authorized API routes (assumed by the allowedPrincipals context setting)`,
    });
    // Two routes may differ only in a parameter's name; both map to the same ARN.
    const methodPaths = new Set(routes.filter((r) => r.auth === "iam").map((r) => `${r.method} ${executeApiPath(r.path)}`));
    const unique = [...methodPaths].map((methodPath) => {
      const [method = "", path = ""] = methodPath.split(" ");
      return this.api.arnForExecuteApi(method, path, this.apiStage.stageName);
    });
    if (unique.length > 0) {
      role.addToPrincipalPolicy(new PolicyStatement({ actions: ["execute-api:Invoke"], resources: unique }));
      this.acknowledgeWildcardResources(role, unique, "execute-api ARNs of exactly this API's IAM routes; each path parameter ({id}) is a '*' because the ARN names the concrete request path.");
    }
    return role;
  }

  private declareOutputs(wiring: Wiring): void {
    new CfnOutput(this, "ApiUrl", {
      value: this.apiStage.url,
      description: this.config.auth === "jwt" ? "Base URL of the HTTP API; the console is served at this URL (routes need a JWT)" : "Base URL of the HTTP API (IAM routes need SigV4, service execute-api)",
    });
    if (this.userPool && this.consoleClient && this.userPoolDomain) {
      new CfnOutput(this, "UserPoolId", { value: this.userPool.userPoolId, description: "The operators' user pool: create each operator here (aws cognito-idp admin-create-user)" });
      new CfnOutput(this, "ConsoleClientId", { value: this.consoleClient.userPoolClientId, description: "The console's app client (public, authorization code + PKCE)" });
      new CfnOutput(this, "SignInUrl", { value: this.userPoolDomain.baseUrl(), description: "The hosted sign-in pages" });
    }
    wiring.routes
      .filter((r) => r.auth === "signature")
      .forEach((route, i) => {
        new CfnOutput(this, i === 0 ? "WebhookUrl" : `WebhookUrl${i + 1}`, {
          value: `${this.apiStage.url}${route.path.replace(/^\//, "")}`,
          description: `${route.method} ${route.path}: the GitHub webhook payload URL`,
        });
      });
    if (this.webhookSecret) {
      new CfnOutput(this, "WebhookSecretArn", { value: this.webhookSecret.secretArn, description: "The webhook secret (read it with aws secretsmanager get-secret-value)" });
    }
    new CfnOutput(this, "TableName", { value: this.table.tableName });
    if (this.eventBus) {
      new CfnOutput(this, "EventBusName", { value: this.eventBus.eventBusName, description: "The bus of hedgehog-gitops events (docs/EVENTS.md): attach rules for notifications" });
      new CfnOutput(this, "EventBusArn", { value: this.eventBus.eventBusArn });
    }
    for (const [name, deployed] of this.queues) {
      new CfnOutput(this, `${pascal(name)}QueueUrl`, { value: deployed.queue.queueUrl });
      new CfnOutput(this, `${pascal(name)}DeadLetterQueueUrl`, { value: deployed.deadLetterQueue.queueUrl });
    }
    if (this.apiInvokerRole) {
      new CfnOutput(this, "ApiInvokerRoleArn", { value: this.apiInvokerRole.roleArn, description: "Assume this role to call the IAM routes" });
    }
  }

  private acknowledge(scope: IConstruct, id: string, reason: string): void {
    // A function consuming two queues is acknowledged once per rule, not once per queue.
    if (this.acknowledgements.some((a) => a.path === scope.node.path && a.id === id)) return;
    Validations.of(scope).acknowledge({ id, reason });
    this.acknowledgements.push({ path: scope.node.path, id, reason });
  }

  /** Acknowledges AwsSolutions-IAM5 for exactly these resources, in cdk-nag's own spelling of them. */
  private acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
    for (const resource of resources) {
      const flat = flattenCfnReference(this.resolve(resource));
      if (flat.includes("*")) this.acknowledge(scope, `AwsSolutions-IAM5[Resource::${flat}]`, reason);
    }
  }
}
