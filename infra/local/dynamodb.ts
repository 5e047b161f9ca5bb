// Embedded DynamoDB: dynalite speaks the real DynamoDB JSON protocol, persisted in LevelDB on disk.
import { mkdirSync } from "node:fs";
import type { Server } from "node:http";
import dynalite from "dynalite";
import { closeServer, listen } from "./listen.js";

export interface EmbeddedService {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** `dataPath` null keeps everything in memory (tests); a path persists across restarts. */
export async function startDynamoDb(dataPath: string | null, port = 0): Promise<EmbeddedService> {
  if (dataPath) mkdirSync(dataPath, { recursive: true });
  const server: Server = dynalite({ ...(dataPath ? { path: dataPath } : {}), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const bound = await listen(server, port);
  return { endpoint: `http://127.0.0.1:${bound}`, close: () => closeServer(server) };
}
