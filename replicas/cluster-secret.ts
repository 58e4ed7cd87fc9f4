// The shared secret every replica and view-service call must carry. From
// JH_CLUSTER_SECRET, or DATA/cluster.secret (made 0600 on first use), so that
// processes started with the same --data just work.
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { PRIVATE_FILE_MODE, privateDir } from './private-files.ts';
import { join } from 'node:path';

export const SECRET_CHARS_MIN = 16;

export function loadClusterSecret(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < SECRET_CHARS_MIN) throw new Error(`JH_CLUSTER_SECRET must be at least ${SECRET_CHARS_MIN} characters`);
    return fromEnv;
  }
  privateDir(dataDir);
  const path = join(dataDir, 'cluster.secret');
  // Written aside and linked into place, so a process starting at the same
  // moment never reads a half-written file, and the first one wins.
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, randomBytes(32).toString('base64url'), { mode: PRIVATE_FILE_MODE });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < SECRET_CHARS_MIN) throw new Error(`${path} holds no usable secret; delete it to make a new one`);
  return secret;
}
