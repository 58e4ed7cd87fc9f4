// The hash chain over the replicated log, apart from the store so that the
// gateway's change feed can check it without loading SQLite.
import { createHash } from 'node:crypto';
import { invariant } from './core/invariant.ts';
import type { Entry, Position } from './protocol.ts';

/** The position before the first entry. */
export const GENESIS: Position = { seq: 0, hash: '0'.repeat(64) };

/**
 * What a primary asserts before it ships and a backup again on receipt:
 * the entries follow `after` with no gap, and each hash extends the chain.
 */
export function assertChained(after: Position, entries: readonly Entry[]): void {
  let previous = after;
  for (const entry of entries) {
    invariant(entry.seq === previous.seq + 1, `entry ${entry.seq} does not follow ${previous.seq}`);
    invariant(chainHash(previous.hash, entry.seq, entry.epoch, entry.requestId, entry.effect) === entry.hash, `the hash of entry ${entry.seq} does not extend the chain`);
    previous = { seq: entry.seq, hash: entry.hash };
  }
}

/** Each entry's hash covers the previous hash and the entry, so equal hashes mean equal histories. */
export function chainHash(previous: string, seq: number, epoch: number, requestId: string, effect: string): string {
  return createHash('sha256').update(`${previous}\n${seq}\n${epoch}\n${requestId}\n`).update(effect).digest('hex');
}
