// The hash chain over the replicated log, apart from the store so that the
// gateway's change feed can check it without loading SQLite.
import { createHash } from 'node:crypto';
import type { Position } from './protocol.ts';

/** The position before the first entry. */
export const GENESIS: Position = { seq: 0, hash: '0'.repeat(64) };

/** Each entry's hash covers the previous hash and the entry, so equal hashes mean equal histories. */
export function chainHash(previous: string, seq: number, epoch: number, requestId: string, effect: string): string {
  return createHash('sha256').update(`${previous}\n${seq}\n${epoch}\n${requestId}\n`).update(effect).digest('hex');
}
