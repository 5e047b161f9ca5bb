// The file system isomorphic-git writes through. Its loose-object writer writes the final file in
// place and never rewrites an existing one, so a crash mid-write would leave a corrupt object for
// good, and a concurrent `git` reader could see half of one. Writing to a temporary name and renaming
// (what git itself does) makes every file appear whole or not at all.
import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";

async function writeFileAtomically(path: string, data: string | Uint8Array, options?: Parameters<typeof fsp.writeFile>[2]): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  await fsp.writeFile(temporary, data, options);
  try {
    await fsp.rename(temporary, path);
  } catch (error) {
    await fsp.rm(temporary, { force: true });
    throw error;
  }
}

export const atomicFs = {
  promises: {
    readFile: fsp.readFile,
    writeFile: writeFileAtomically,
    unlink: fsp.unlink,
    readdir: fsp.readdir,
    mkdir: fsp.mkdir,
    rmdir: fsp.rmdir,
    rm: fsp.rm,
    stat: fsp.stat,
    lstat: fsp.lstat,
    readlink: fsp.readlink,
    symlink: fsp.symlink,
    chmod: fsp.chmod,
  },
};
