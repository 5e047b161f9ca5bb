/** A change to one file of a commit: content null deletes the file. Paths are repository-relative. */
export interface FileChange {
  readonly path: string;
  readonly content: string | Uint8Array | null;
}
