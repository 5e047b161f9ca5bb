// A stand-in for AWS Secrets Manager's GetSecretValue on 127.0.0.1, speaking the service's real wire
// protocol (JSON 1.1 over HTTP, X-Amz-Target), so the AWS SDK client is exercised unchanged.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type StoredSecret = { readonly string: string } | { readonly binary: Uint8Array } | { readonly error: string; readonly status: number };

export interface SecretsManagerStandIn {
  readonly endpoint: string;
  /** SecretId of every GetSecretValue call, in order. */
  readonly calls: string[];
  close(): Promise<void>;
}

export async function startSecretsManager(secrets: Readonly<Record<string, StoredSecret>>): Promise<SecretsManagerStandIn> {
  const calls: string[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const reply = (status: number, body: unknown, type?: string): void => {
        response.writeHead(status, { "content-type": "application/x-amz-json-1.1", ...(type ? { "x-amzn-errortype": type } : {}) });
        response.end(JSON.stringify(body));
      };
      if (request.headers["x-amz-target"] !== "secretsmanager.GetSecretValue") {
        reply(400, { __type: "UnknownOperationException", message: "only GetSecretValue" }, "UnknownOperationException");
        return;
      }
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { SecretId: string };
      calls.push(SecretId);
      const secret = secrets[SecretId];
      if (!secret) {
        reply(400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." }, "ResourceNotFoundException");
      } else if ("error" in secret) {
        reply(secret.status, { __type: secret.error, message: `simulated ${secret.error}` }, secret.error);
      } else {
        const arn = SecretId.startsWith("arn:") ? SecretId : `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}-AbCdEf`;
        reply(200, {
          ARN: arn,
          Name: SecretId,
          VersionId: "v1",
          CreatedDate: 1_700_000_000,
          VersionStages: ["AWSCURRENT"],
          ...("string" in secret ? { SecretString: secret.string } : { SecretBinary: Buffer.from(secret.binary).toString("base64") }),
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
