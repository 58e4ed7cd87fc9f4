// What a replica does with a shipment, decided without I/O: the backup's half
// of a replication round (and of levelling and catching up), and what a
// primary sends a replica that is not level. replicas/replica.ts,
// replicas/store.ts and replicas/primary.ts act on these verdicts; the
// simulator's replicas use the same functions.
import type { Position, Role } from '../protocol.ts';

/** What the decisions need to know of a log: its head, and the hash it can vouch for at a seq. */
export interface LogPosition {
  readonly head: Position;
  hashAt(seq: number): string | null;
}

/** An entry as far as fitting it goes: its place in the hash chain. */
export interface Chained {
  seq: number;
  hash: string;
}

/**
 * May a shipment from a primary of `epoch` be taken? Never from an epoch older
 * than the fence (a deposed primary must not get a write acknowledged). A
 * primary takes one only from a newer epoch, and then it was deposed
 * without hearing of it: it steps down first.
 */
export function epochVerdict(epoch: number, fencedEpoch: number, role: Role, viewEpoch: number): 'stale' | 'take' | 'take-and-step-down' {
  if (epoch < fencedEpoch) return 'stale';
  if (role !== 'PRIMARY') return 'take';
  return epoch <= viewEpoch ? 'stale' : 'take-and-step-down';
}

export type Fit<E> = { kind: 'gap' } | { kind: 'diverged' } | { kind: 'append'; fresh: E[] };

/**
 * How entries that follow `after` fit this log: a gap (we lack entries
 * before them: send from our head), a divergence (our history differs, or we
 * hold a tail beyond the primary's head that it never committed: send a
 * snapshot), or the entries to append (those we already hold are skipped
 * when their hashes agree).
 */
export function fitShipment<E extends Chained>(log: LogPosition, after: Position, entries: readonly E[]): Fit<E> {
  const { head } = log;
  if (after.seq > head.seq) return { kind: 'gap' };
  if (log.hashAt(after.seq) !== after.hash) return { kind: 'diverged' };
  for (const entry of entries) {
    if (entry.seq <= head.seq && log.hashAt(entry.seq) !== entry.hash) return { kind: 'diverged' };
  }
  const primaryHead = entries.at(-1)?.seq ?? after.seq;
  if (head.seq > primaryHead) return { kind: 'diverged' };
  return { kind: 'append', fresh: entries.filter((entry) => entry.seq > head.seq) };
}

/** Taking a snapshot that ends at `position` would give up writes known to be committed up to `committedSeq`. */
export function snapshotLosesCommitted(position: Position, committedSeq: number): boolean {
  return position.seq < committedSeq;
}

/**
 * What a primary sends a replica whose head is `position`: the entries after
 * it when that position is on the primary's log (a prefix of its history),
 * else a snapshot (the replica's tail diverged, or was trimmed away here).
 */
export function catchUpPlan(primaryLog: LogPosition, position: Position): 'entries' | 'snapshot' {
  return position.seq <= primaryLog.head.seq && primaryLog.hashAt(position.seq) === position.hash ? 'entries' : 'snapshot';
}
