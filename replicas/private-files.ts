// Files that hold customers' personal data or the cluster's decisions (the
// replicas' databases, the view, the cluster secret) are the service's own:
// created readable and writable by its user only (0600) in directories only
// it can enter (0700, when this code creates them). A file left by an older
// version with wider permissions is narrowed when it is opened.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Makes `dir` (and its missing parents) private to this user if it does not exist yet. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `path` empty and private if it does not exist, else narrows it to private; for files another library then opens (SQLite gives its WAL and shared-memory files the database file's mode). */
export function privateFile(path: string): void {
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
  else closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}
