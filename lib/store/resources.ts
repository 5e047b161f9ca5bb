// Resource items: pk FABRIC#<id>, sk RES#<registration uid>#<group>/<Kind>/<ns>/<name>. Written only
// when their content changed, each write conditional on the version that was read.
//
// The registration uid in the key is what makes a record write land only for the registration that
// planned it (DESIGN §14, issue #12): a stage still running for a fabric that was deleted (and maybe
// registered again) writes under the old uid, which no reader of the new registration sees and the
// next delete of the fabric removes. DynamoDB has no cross-item condition without transactions (and
// the local stack's dynalite has none), so a condition on the fabric item could not do this atomically.
//
// Records written before registration uids existed (sk RES#<group>/...) are read as the current
// registration's and moved under their registration's key by the next stage that writes records.
//
// Next to its record fields, a resource item holds the desired and the live object (stored-json.ts:
// text, gzip or left out, within 120 KB each), so that one GetItem answers the resource detail. Its
// history is kept in items of their own (sk HIS#<uid>#<id>#<runId>#<step>, TTL 90 days), which outlive
// the record: a pruned resource's history stays readable. The fabric's roll-up (counts and the names
// that need attention) is one item, sk ROLLUP#<uid>.
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { HistoryEntry } from "../pipeline/history.js";
import type { ResourceObjects, ResourceRecord } from "../pipeline/resource-model.js";
import type { Rollup } from "../pipeline/rollup.js";
import { ResourceWriteThrottledError, VersionConflictError } from "./errors.js";
import { fabricPartitionKey } from "./fabrics.js";
import { decodeStoredJson, encodeStoredJson, type JsonValueOrOmission } from "./stored-json.js";
import { TTL_ATTRIBUTE } from "./table.js";

const PREFIX = "RES#";
const HISTORY_PREFIX = "HIS#";
const ROLLUP_PREFIX = "ROLLUP#";
/** How long history entries are kept (the table's TTL removes them; DynamoDB does so within days of expiry). */
export const HISTORY_RETENTION_DAYS = 90;
/** Attributes of a resource item that are not record fields. */
const OBJECT_ATTRIBUTES = ["desired", "live"] as const;
/** A page reads at most this many times (1 MB each) to fill itself when filters drop most items. */
const PAGE_READS = 8;
/** DynamoDB's BatchWriteItem limit. */
const BATCH_SIZE = 25;
const BATCH_CONCURRENCY = 4;
const CONCURRENCY = 16;
/** A registration's key segment, as lib/api/fabrics.ts makes it. */
const REGISTRATION_KEY = /^[0-9a-f]{16}#/;

/** Whose records: the fabric and its registration. */
export interface Registration {
  readonly id: string;
  readonly uid: string;
}

export interface StoredResource {
  readonly record: ResourceRecord;
  readonly recordVersion: number;
  /** Set for a record stored before registration uids: its old sort key, removed when it is next written. */
  readonly legacyKey?: string;
}

/** One resource as its detail shows it: the record and the objects stored with it. */
export interface StoredResourceDetail extends StoredResource {
  readonly desired: JsonValueOrOmission | null;
  readonly live: JsonValueOrOmission | null;
}

/** A page of records, each with its sort key; `resumeAfter`: the key the next page starts after, when more may follow. */
export interface ResourcePage {
  readonly items: readonly { readonly record: ResourceRecord; readonly key: string }[];
  readonly resumeAfter: string | null;
}

/** What a page asks for: a kind (a key prefix), filters on record fields, where to start and how many. */
export interface ResourcePageQuery {
  /** "<group>/<Kind>/": only that kind (a key condition, not a filter). */
  readonly idPrefix?: string;
  readonly state?: string;
  readonly source?: string;
  /** true: only records with an error; false: only records without. */
  readonly error?: boolean;
  /** The sort key of the last item of the previous page. */
  readonly after?: string;
  readonly limit: number;
}

export interface HistoryPage {
  readonly items: readonly HistoryEntry[];
  /** The sort key of the last entry, when more may follow. */
  readonly after: string | null;
}

const sortKey = (registration: Registration, id: string) => `${PREFIX}${registration.uid}#${id}`;
const legacySortKey = (id: string) => `${PREFIX}${id}`;
/** The registration's resource items: every page's key condition, and what a cursor must stay within. */
export const resourceKeyPrefix = (registration: Registration, idPrefix = "") => `${PREFIX}${registration.uid}#${idPrefix}`;
/** A resource's history items (the trailing # keeps vpc-1 apart from vpc-10). */
export const historyKeyPrefix = (registration: Registration, id: string) => `${HISTORY_PREFIX}${registration.uid}#${id}#`;
const historyKey = (registration: Registration, e: HistoryEntry) => `${historyKeyPrefix(registration, e.id)}${e.runId}#${e.step}`;
const rollupKey = (registration: Registration) => `${ROLLUP_PREFIX}${registration.uid}`;

function fromItem(item: Record<string, unknown>): StoredResource {
  const { pk: _pk, sk: _sk, type: _type, recordVersion, updatedAt: _u, desired: _d, live: _l, ...record } = item;
  return { record: record as unknown as ResourceRecord, recordVersion: recordVersion as number };
}

function historyFromItem(item: Record<string, unknown>): HistoryEntry {
  const { pk: _pk, sk: _sk, type: _type, [TTL_ATTRIBUTE]: _ttl, ...entry } = item;
  return entry as unknown as HistoryEntry;
}

/** Stable comparison: the same record in any key order is the same record. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  return canonical(a) === canonical(b);
}

export class ResourceRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Every record of the registration (records of an earlier registration of the same name are not). */
  async list(registration: Registration): Promise<StoredResource[]> {
    const current = new Map<string, StoredResource>();
    const legacy = new Map<string, StoredResource>();
    const own = `${PREFIX}${registration.uid}#`;
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
          ExpressionAttributeValues: { ":pk": fabricPartitionKey(registration.id), ":p": PREFIX },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        const sk = String(item.sk);
        if (sk.startsWith(own)) {
          const stored = fromItem(item);
          current.set(stored.record.id, stored);
        } else if (!REGISTRATION_KEY.test(sk.slice(PREFIX.length))) {
          const stored = fromItem(item);
          legacy.set(stored.record.id, { ...stored, legacyKey: sk });
        }
      }
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    for (const [id, stored] of legacy) if (!current.has(id)) current.set(id, stored);
    return [...current.values()].sort((a, b) => (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0));
  }

  /** One resource by its key: one GetItem (a second only for a record stored before registration uids). */
  async get(registration: Registration, id: string): Promise<StoredResourceDetail | null> {
    const read = async (sk: string) =>
      (await this.db.send(new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(registration.id), sk }, ConsistentRead: true }))).Item;
    const detail = (item: Record<string, unknown>, legacyKey?: string): StoredResourceDetail => ({
      ...fromItem(item),
      ...(legacyKey ? { legacyKey } : {}),
      desired: decodeStoredJson(item.desired),
      live: decodeStoredJson(item.live),
    });
    const item = await read(sortKey(registration, id));
    if (item) return detail(item);
    const legacy = await read(legacySortKey(id));
    return legacy ? detail(legacy, legacySortKey(id)) : null;
  }

  /**
   * One page of the registration's records in key order (kind, namespace, name), from `after`. Filters
   * on state, source and error are applied by DynamoDB after reading, so a page reads at most
   * PAGE_READS times and may then hold fewer than `limit` items (even none) while `resumeAfter` says
   * where the walk goes on.
   */
  async page(registration: Registration, query: ResourcePageQuery): Promise<ResourcePage> {
    const prefix = resourceKeyPrefix(registration, query.idPrefix);
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":pk": fabricPartitionKey(registration.id), ":p": prefix };
    if (query.state !== undefined) {
      filters.push("#state = :state");
      names["#state"] = "state";
      values[":state"] = query.state;
    }
    if (query.source !== undefined) {
      filters.push("#source = :source");
      names["#source"] = "source";
      values[":source"] = query.source;
    }
    if (query.error !== undefined) {
      names["#error"] = "error";
      values[":null"] = null;
      filters.push(query.error ? "(attribute_exists(#error) AND #error <> :null)" : "(attribute_not_exists(#error) OR #error = :null)");
    }
    const items: { record: ResourceRecord; key: string }[] = [];
    let startKey: Record<string, unknown> | undefined = query.after ? { pk: values[":pk"], sk: query.after } : undefined;
    for (let reads = 0; reads < PAGE_READS; reads++) {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
          // One more than the page holds: a full last page then ends the walk instead of leaving an empty one after it.
          ...(filters.length > 0 ? { FilterExpression: filters.join(" AND "), ExpressionAttributeNames: names } : { Limit: query.limit - items.length + 1 }),
          ExpressionAttributeValues: values,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of out.Items ?? []) {
        if (items.length === query.limit) return { items, resumeAfter: items[items.length - 1]!.key };
        items.push({ record: fromItem(item).record, key: String(item.sk) });
      }
      startKey = out.LastEvaluatedKey;
      if (!startKey) return { items, resumeAfter: null };
      if (items.length === query.limit) return { items, resumeAfter: items[items.length - 1]!.key };
    }
    // The read budget is spent: the next page goes on where this one stopped reading.
    return { items, resumeAfter: String(startKey!.sk) };
  }

  /**
   * Writes each record that differs from what is stored, and the objects given for it; returns how many
   * records were written. `stored` is what the caller read (list()). A record still under its pre-uid
   * key is moved even when unchanged. Updates are conditional on the version read, so a concurrent
   * writer makes them fail instead of being lost, and they leave the objects not given as they are. New
   * records go in batches of 25 without a condition: only the run holding the fabric's run lock writes
   * resource records, and a first ingest of thousands of resources would otherwise cost one request
   * each (BatchWriteItem takes no conditions). Either way the key carries the registration uid, so
   * nothing lands for another registration.
   */
  async writeChanged(
    registration: Registration,
    records: readonly ResourceRecord[],
    stored: ReadonlyMap<string, StoredResource>,
    at: string,
    objects: ReadonlyMap<string, ResourceObjects> = new Map(),
    onWritten?: (written: number, total: number) => void,
  ): Promise<number> {
    const pending = records.filter((r) => {
      const current = stored.get(r.id);
      return !current || current.legacyKey !== undefined || !sameRecord(current.record, r) || objects.has(r.id);
    });
    const encoded = (id: string) => {
      const o = objects.get(id);
      return {
        ...(o?.desired !== undefined ? { desired: o.desired === null ? undefined : encodeStoredJson(o.desired) } : {}),
        ...(o?.live !== undefined ? { live: o.live === null ? undefined : encodeStoredJson(o.live) } : {}),
      };
    };
    const item = (record: ResourceRecord, recordVersion: number) => ({
      pk: fabricPartitionKey(registration.id),
      sk: sortKey(registration, record.id),
      type: "resource",
      ...record,
      ...encoded(record.id),
      recordVersion,
      updatedAt: at,
    });
    let written = 0;
    const done = (n: number) => {
      written += n;
      onWritten?.(written, pending.length);
    };
    // A record under its pre-uid key moves: written anew under the registration's key, then the old item goes.
    const creates = pending.filter((r) => !stored.has(r.id) || stored.get(r.id)!.legacyKey !== undefined);
    const updates = pending.filter((r) => stored.has(r.id) && stored.get(r.id)!.legacyKey === undefined);
    await this.inBatches(
      creates.map((r) => item(r, (stored.get(r.id)?.recordVersion ?? 0) + 1)),
      done,
    );
    for (let i = 0; i < updates.length; i += CONCURRENCY) {
      const slice = updates.slice(i, i + CONCURRENCY);
      await Promise.all(
        slice.map(async (record) => {
          const current = stored.get(record.id)!;
          try {
            await this.db.send(new UpdateCommand(updateOf(this.tableName, item(record, current.recordVersion + 1), current, objects.get(record.id))));
          } catch (error) {
            if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`resource ${record.id}`, current.recordVersion);
            throw error;
          }
        }),
      );
      done(slice.length);
    }
    const moved = creates.map((r) => stored.get(r.id)?.legacyKey).filter((k): k is string => k !== undefined);
    await this.deleteKeys(registration.id, moved);
    return pending.length;
  }

  /**
   * Writes one record conditionally: on the version `current` was read at, or, with `current` null,
   * only if there is none (the API's writes, which race a stage's). VersionConflictError otherwise.
   */
  async putRecord(registration: Registration, record: ResourceRecord, current: StoredResource | null, at: string): Promise<void> {
    const fresh = current === null || current.legacyKey !== undefined;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: fabricPartitionKey(registration.id), sk: sortKey(registration, record.id), type: "resource", ...record, recordVersion: (current?.recordVersion ?? 0) + 1, updatedAt: at },
          ...(fresh
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : { ConditionExpression: "recordVersion = :v", ExpressionAttributeValues: { ":v": current.recordVersion } }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflictError(`resource ${record.id}`, current?.recordVersion ?? 0);
      throw error;
    }
    if (current?.legacyKey !== undefined) await this.deleteKeys(registration.id, [current.legacyKey]);
  }

  /** Writes history entries (idempotent: a redelivered stage writes the same keys), each kept HISTORY_RETENTION_DAYS. */
  async writeHistory(registration: Registration, entries: readonly HistoryEntry[]): Promise<void> {
    await this.inBatches(
      entries.map((e) => ({
        pk: fabricPartitionKey(registration.id),
        sk: historyKey(registration, e),
        type: "history",
        ...e,
        [TTL_ATTRIBUTE]: Math.floor(Date.parse(e.at) / 1000) + HISTORY_RETENTION_DAYS * 86_400,
      })),
    );
  }

  /** A resource's history, newest first, `limit` entries from `after` (the sort key the previous page ended with). */
  async history(registration: Registration, id: string, options: { limit: number; after?: string }): Promise<HistoryPage> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
        ExpressionAttributeValues: { ":pk": fabricPartitionKey(registration.id), ":p": historyKeyPrefix(registration, id) },
        ScanIndexForward: false,
        Limit: options.limit,
        ...(options.after ? { ExclusiveStartKey: { pk: fabricPartitionKey(registration.id), sk: options.after } } : {}),
      }),
    );
    const items = (out.Items ?? []).map(historyFromItem);
    return { items, after: out.LastEvaluatedKey ? String(out.LastEvaluatedKey.sk) : null };
  }

  async getRollup(registration: Registration): Promise<Rollup | null> {
    const out = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(registration.id), sk: rollupKey(registration) }, ConsistentRead: true }),
    );
    if (!out.Item) return null;
    const { counts, attention } = out.Item as unknown as Rollup;
    return { counts, attention };
  }

  /** Writes the roll-up when it differs from `current` (what getRollup returned); true when it wrote. */
  async putRollup(registration: Registration, rollup: Rollup, current: Rollup | null, at: string): Promise<boolean> {
    if (current && canonical(current) === canonical(rollup)) return false;
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: fabricPartitionKey(registration.id), sk: rollupKey(registration), type: "rollup", ...rollup, updatedAt: at },
      }),
    );
    return true;
  }

  private async inBatches(items: readonly Record<string, unknown>[], onBatch?: (n: number) => void): Promise<void> {
    const chunks: Record<string, unknown>[][] = [];
    for (let i = 0; i < items.length; i += BATCH_SIZE) chunks.push(items.slice(i, i + BATCH_SIZE));
    for (let i = 0; i < chunks.length; i += BATCH_CONCURRENCY) {
      await Promise.all(
        chunks.slice(i, i + BATCH_CONCURRENCY).map(async (chunk) => {
          let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
          for (let attempt = 0; requests.length > 0; attempt++) {
            if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
            const out = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
            requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
            // Throttled items come back unprocessed; back off and resend them.
            if (attempt > 8 && requests.length > 0) throw new ResourceWriteThrottledError(`${requests.length} resource records were not written after retries`);
          }
          onBatch?.(chunk.length);
        }),
      );
    }
  }

  /** Removes records that are gone from everywhere (the state table's "forgotten"). */
  async delete(registration: Registration, ids: readonly string[], stored?: ReadonlyMap<string, StoredResource>): Promise<void> {
    await this.deleteKeys(
      registration.id,
      ids.map((id) => stored?.get(id)?.legacyKey ?? sortKey(registration, id)),
    );
  }

  /**
   * Removes every record of one registration: what a stage wrote after its fabric was deleted (and
   * perhaps registered again) would otherwise stay in the partition until the next delete.
   */
  async deleteRegistration(registration: Registration): Promise<number> {
    const keys: string[] = [];
    for (const prefix of [resourceKeyPrefix(registration), `${HISTORY_PREFIX}${registration.uid}#`, rollupKey(registration)]) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: "pk = :pk AND begins_with(sk, :p)",
            ExpressionAttributeValues: { ":pk": fabricPartitionKey(registration.id), ":p": prefix },
            ProjectionExpression: "sk",
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of out.Items ?? []) keys.push(String(item.sk));
        startKey = out.LastEvaluatedKey;
      } while (startKey);
    }
    await this.deleteKeys(registration.id, keys);
    return keys.length;
  }

  private async deleteKeys(fabricId: string, sortKeys: readonly string[]): Promise<void> {
    for (let i = 0; i < sortKeys.length; i += CONCURRENCY) {
      await Promise.all(
        sortKeys
          .slice(i, i + CONCURRENCY)
          .map((sk) => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: fabricPartitionKey(fabricId), sk } }))),
      );
    }
  }
}

/**
 * The UpdateItem that turns the stored item into `next`: every record field set, record fields that
 * are gone removed, and of the objects only those given (the others stay as stored).
 */
function updateOf(tableName: string, next: Record<string, unknown>, current: StoredResource, objects: ResourceObjects | undefined) {
  const { pk, sk, ...fields } = next;
  const sets: string[] = [];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":expected": current.recordVersion };
  let n = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    names[`#a${n}`] = key;
    values[`:a${n}`] = value;
    sets.push(`#a${n} = :a${n}`);
    n++;
  }
  const given = new Set<string>(OBJECT_ATTRIBUTES.filter((k) => objects?.[k] !== undefined));
  const gone = [
    ...Object.keys(current.record).filter((k) => !(k in fields) || fields[k] === undefined),
    // An object given as null: no longer there (the live object after the cluster lost it).
    ...OBJECT_ATTRIBUTES.filter((k) => given.has(k) && fields[k] === undefined),
  ];
  for (const key of gone) {
    names[`#a${n}`] = key;
    removes.push(`#a${n}`);
    n++;
  }
  names["#rv"] = "recordVersion";
  return {
    TableName: tableName,
    Key: { pk, sk },
    UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
    ConditionExpression: "#rv = :expected",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
