import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file holding secrets (keystores, dev keys, run files) owner-only, whatever existed at
 * `path` before: `writeFileSync`'s mode applies only when it creates the file, so replacing an old
 * 0644 file in place would keep 0644. A fresh 0600 file is written beside it and renamed over it
 * (atomic, too: a crash leaves the old or the new content, never half of one). A folder it creates is 0700.
 */
export function writeSecretFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, content, { mode: 0o600, flag: 'w' });
    chmodSync(temporary, 0o600); // a stale temporary file from a crash may have had another mode
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
