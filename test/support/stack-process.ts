// The local stack as a child process, for fault tests that kill it (kill -9) and start it again on the
// same data dir: DynamoDB persists there (dynalite on LevelDB); SQS lives in memory and is lost, as with
// `npm start`. Configured through the environment by child-stack.ts; prints one JSON line when ready.
import { startLocalStack } from "../../infra/local/stack.js";
import { wiring } from "../../infra/wiring.js";

const env = process.env;
process.env.HH_GITOPS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
const stack = await startLocalStack({
  dynamoDbPath: env.HH_TEST_STACK_DATA_DIR!,
  port: 0,
  token: env.HH_TEST_STACK_TOKEN!,
  queuePrefix: "fault",
  // No schedule: the test decides when a trigger arrives.
  wiring: { ...wiring, schedules: [] },
  eventSources: { waitSeconds: 0 },
  // The simulated cluster lives in the parent, so that its objects outlive this process.
  simulatedCluster: false,
  onError: () => undefined,
});
process.stdout.write(`${JSON.stringify({ url: stack.url, dynamodbEndpoint: stack.dynamodbEndpoint, tableName: stack.tableName })}\n`);
