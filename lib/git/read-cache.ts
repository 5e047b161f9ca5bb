// What a provider may remember between calls, and across invocations of a warm Lambda when the
// caller keeps one cache for the process. Everything here is either immutable by construction
// (a blob's content, a commit's tree: git objects never change) or only a hint that the server
// confirms (a branch head's ETag). Sizes are bounded so a long-lived process does not grow.
import type { TreeEntry } from "./provider.js";

/** A Map that forgets its least recently used entries beyond `capacity` (by count or by weight). */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  private weight = 0;

  constructor(
    private readonly capacity: number,
    private readonly weigh: (value: V) => number = () => 1,
  ) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.weight -= this.weigh(previous);
      this.entries.delete(key);
    }
    const w = this.weigh(value);
    if (w > this.capacity) return;
    this.entries.set(key, value);
    this.weight += w;
    for (const [oldest, value_] of this.entries) {
      if (this.weight <= this.capacity) break;
      this.entries.delete(oldest);
      this.weight -= this.weigh(value_);
    }
  }

  delete(key: K): void {
    const previous = this.entries.get(key);
    if (previous === undefined) return;
    this.weight -= this.weigh(previous);
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface KnownHead {
  readonly sha: string;
  /** The ETag of the response that reported `sha`, for a conditional request next time. */
  readonly etag?: string;
}

export interface CommitFacts {
  readonly tree: string;
  /** Sum of all blob sizes in the commit, when a full listing reported them (GitHub tarball decision). */
  readonly totalBlobBytes: number | null;
}

/** Where a blob was seen: any commit and path holding it, to fetch it in bulk with that commit. */
export interface BlobHome {
  readonly commit: string;
  readonly path: string;
  /** The blob's size in bytes, when a listing reported it (sizes the GitHub provider's bulk reads). */
  readonly size?: number;
}

/** Blob contents of one repository as seen with one credential, stored in the process-wide byte budget. */
export class ScopedBlobCache {
  constructor(
    private readonly shared: LruMap<string, Uint8Array>,
    private readonly scope: string,
  ) {}

  get(sha: string): Uint8Array | undefined {
    return this.shared.get(`${this.scope}\0${sha}`);
  }

  set(sha: string, content: Uint8Array): void {
    this.shared.set(`${this.scope}\0${sha}`, content);
  }
}

/** Per repository (and credential): heads, listings, commit facts, blob homes and blob contents. */
export class RepositoryReadCache {
  readonly heads = new Map<string, KnownHead>();
  readonly listings = new LruMap<string, readonly TreeEntry[]>(64);
  readonly commits = new LruMap<string, CommitFacts>(1024);
  readonly blobHomes = new LruMap<string, BlobHome>(250_000);

  constructor(readonly blobs: ScopedBlobCache) {}

  static listingKey(commit: string, directory: string): string {
    return `${commit}:${directory}`;
  }
}

export interface GitReadCacheOptions {
  /** Upper bound of cached blob bytes; default 64 MiB. */
  readonly maxBlobBytes?: number;
}

/**
 * Create once per process and pass to createGitProvider to keep reads cheap across invocations.
 *
 * Everything is kept per repository *and credential* (DESIGN §14), never by content hash alone: a blob
 * sha is not a secret, so a cache shared by sha would hand one fabric's file to any other fabric whose
 * server (or listing) merely names that sha. The byte budget is shared by all.
 */
export class GitReadCache {
  private readonly blobBytes: LruMap<string, Uint8Array>;
  // Per (credential, repository): a rotated token starts a new entry, so the oldest are forgotten.
  private readonly repositories = new LruMap<string, RepositoryReadCache>(256);

  constructor(
    options: GitReadCacheOptions = {},
    private readonly parent?: { readonly cache: GitReadCache; readonly scope: string },
  ) {
    this.blobBytes = parent ? parent.cache.blobBytes : new LruMap(options.maxBlobBytes ?? 64 * 1024 * 1024, (content) => content.byteLength + 64);
  }

  /** The same cache seen through one credential (createGitProvider passes a digest of it): its repositories are its own. */
  scoped(scope: string): GitReadCache {
    return new GitReadCache({}, { cache: this, scope });
  }

  forRepository(key: string): RepositoryReadCache {
    if (this.parent) return this.parent.cache.forRepository(`${this.parent.scope}\0${key}`);
    let cache = this.repositories.get(key);
    if (!cache) {
      cache = new RepositoryReadCache(new ScopedBlobCache(this.blobBytes, key));
      this.repositories.set(key, cache);
    }
    return cache;
  }
}
