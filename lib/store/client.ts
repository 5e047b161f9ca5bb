import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Settings } from "../config/index.js";

const clients = new Map<string, DynamoDBDocumentClient>();

/** One document client per endpoint and region, reused across invocations of a warm Lambda. */
export function documentClient(settings: Settings): DynamoDBDocumentClient {
  const key = `${settings.region}|${settings.endpoints.dynamodb ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    const base = new DynamoDBClient({
      region: settings.region,
      ...(settings.endpoints.dynamodb ? { endpoint: settings.endpoints.dynamodb } : {}),
      maxAttempts: 3,
    });
    client = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
    clients.set(key, client);
  }
  return client;
}
