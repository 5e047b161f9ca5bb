// The GitOps directory layout (DESIGN §2) and the init plan: what is missing, nothing else.
import type { FileChange } from "./types.js";

export const LAYOUT_VERSION = 1;

export const RAW = "raw";
export const RAW_PENDING = "raw/pending";
export const RAW_PROCESSED = "raw/processed";
export const RAW_ERRORS = "raw/errors";
export const UNMANAGED = "unmanaged";
export const UNMANAGED_EXTERNAL = "unmanaged/external-configs";
export const UNMANAGED_OVERRIDES = "unmanaged/manual-overrides";
export const MANAGED = "managed";
export const DIRECTORY_INFO = "managed/metadata/directory-info.json";

const README: Readonly<Record<string, string>> = {
  [RAW]: `# raw/ — the inbox

Drop Hedgehog resources here as YAML or JSON (top level or pending/). Each sync ingests them:
valid resources are normalized into ../managed/, non-Hedgehog documents go to
../unmanaged/external-configs/, and anything that fails validation lands in errors/ next to a
\`<file>.errors.txt\` that says why. The source file leaves raw/ in the same commit.
`,
  [UNMANAGED]: `# unmanaged/ — kept, never applied

external-configs/ holds non-Hedgehog documents that arrived through raw/, verbatim.
manual-overrides/ is yours: nothing here is read or applied.
`,
  [MANAGED]: `# managed/ — the desired state

One normalized resource per file, in a folder per kind named by the CRD plural
(vpcs/, switches/, connections/, ...). These files are applied to the fabric. You may edit them
directly: they are validated on every sync, and an invalid file is reported and not applied.
metadata/directory-info.json describes this layout.
`,
};

/** Folders that hold nothing but a .gitkeep until used. */
const KEPT_FOLDERS = [RAW_PENDING, RAW_PROCESSED, RAW_ERRORS, UNMANAGED_EXTERNAL, UNMANAGED_OVERRIDES] as const;

export function directoryInfo(fabricName: string, directory: string): string {
  // No timestamps: the file must be byte-identical on every init so that a second init commits nothing.
  return `${JSON.stringify({ layoutVersion: LAYOUT_VERSION, fabric: fabricName, directory, managedBy: "hedgehog-gitops" }, null, 2)}\n`;
}

/** Every file the layout needs, relative to the fabric directory, with its content. */
export function layoutFiles(fabricName: string, directory: string): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  for (const [folder, text] of Object.entries(README)) files.set(`${folder}/README.md`, text);
  for (const folder of KEPT_FOLDERS) files.set(`${folder}/.gitkeep`, "");
  files.set(DIRECTORY_INFO, directoryInfo(fabricName, directory));
  return files;
}

/**
 * Init: create what is missing and never touch what exists. A folder that already holds files needs no
 * .gitkeep; an existing README or directory-info.json is left as the user has it.
 * `existing` holds paths relative to the fabric directory.
 */
export function planInit(fabricName: string, directory: string, existing: ReadonlySet<string>): FileChange[] {
  const changes: FileChange[] = [];
  const hasContentUnder = (folder: string) => [...existing].some((p) => p.startsWith(`${folder}/`));
  for (const [path, content] of layoutFiles(fabricName, directory)) {
    if (existing.has(path)) continue;
    if (path.endsWith("/.gitkeep") && hasContentUnder(path.slice(0, -"/.gitkeep".length))) continue;
    changes.push({ path: `${directory}/${path}`, content });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** True when the layout is complete enough to ingest: the inbox and managed/ exist. */
export function isInitialized(existing: ReadonlySet<string>): boolean {
  return [...existing].some((p) => p.startsWith(`${RAW}/`)) && existing.has(DIRECTORY_INFO);
}
