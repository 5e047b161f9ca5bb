// The local stack as a child process, for fault tests that kill it (kill -9) and start it again on the
// same data dir: DynamoDB persists there (dynalite on LevelDB); SQS lives in memory and is lost, as with
// `npm start`. Configured through the environment by child-stack.ts; prints one JSON line when ready.
import { join } from "node:path";
import { startLocalStack } from "../../infra/local/stack.js";
import { wiring } from "../../infra/wiring.js";
import { TEST_REPO_ROOT } from "./trust.js";

const env = process.env;
process.env.HH_GITOPS_LOG_LEVEL ??= "SILENT";
process.env.POWERTOOLS_LOG_LEVEL ??= "SILENT";
const stack = await startLocalStack({
  dynamoDbPath: join(env.HH_TEST_STACK_DATA_DIR!, "dynamodb"),
  dataDir: env.HH_TEST_STACK_DATA_DIR!,
  // The test's repositories live under os.tmpdir(), like every test's.
  repoRoot: TEST_REPO_ROOT,
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
