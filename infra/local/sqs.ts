// Embedded SQS: local-aws-sqs speaks the real SQS JSON protocol (FIFO, redrive to DLQ). In memory only:
// messages in flight when the local stack stops are lost; runs they belonged to can be started again.
import { createSqsServer } from "local-aws-sqs";
import type { EmbeddedService } from "./dynamodb.js";
import { closeServer } from "./listen.js";
import type { AddressInfo } from "node:net";

export async function startSqs(port = 0): Promise<EmbeddedService> {
  const server = await createSqsServer({ port, hostname: "127.0.0.1", emulateQueueCreationLifecycle: false });
  const bound = (server.address() as AddressInfo).port;
  return { endpoint: `http://127.0.0.1:${bound}`, close: () => closeServer(server) };
}
