// The primary's protocol core (replicas/core/primary.ts) step by step: inputs
// in, the sink's calls out, time as a number. No process, socket or SQLite:
// an in-memory log stands for the store, as in the simulator.
import { describe, expect, it } from 'vitest';
import { type Answer, PrimaryCore, type PrimaryLimits, type PrimarySink, type PrimaryStore, type ShipReply } from '../replicas/core/primary.ts';
import { InvariantBroken } from '../replicas/core/invariant.ts';
import type { Position, View } from '../replicas/protocol.ts';

interface E {
  seq: number;
  hash: string;
  requestId: string;
}

const GENESIS: Position = { seq: 0, hash: 'h0' };

/** A log in memory: committed entries and the open round's. */
class MemoryLog implements PrimaryStore<string, E, string> {
  committed: E[] = [];
  open: E[] | null = null;
  committedSeq = 0;
  failNextCommit = false;

  get head(): Position {
    const last = (this.open ?? []).at(-1) ?? this.committed.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : GENESIS;
  }
  hashAt(seq: number): string | null {
    if (seq === 0) return GENESIS.hash;
    return [...this.committed, ...(this.open ?? [])].find((e) => e.seq === seq)?.hash ?? null;
  }
  dedupedResult(requestId: string): { outcome: string; seq: number } | null {
    const entry = this.committed.find((e) => e.requestId === requestId);
    return entry ? { outcome: `done ${requestId}`, seq: entry.seq } : null;
  }
  entriesAfter(seq: number, max: number): E[] {
    return [...this.committed, ...(this.open ?? [])].filter((e) => e.seq > seq).slice(0, max);
  }
  begin(): void {
    expect(this.open).toBeNull();
    this.open = [];
  }
  run(requestId: string, command: string): { answer: Answer<string>; entry: E | null } {
    if (command === 'refuse') return { answer: { ok: true, outcome: 'out of stock' }, entry: null };
    const seq = this.head.seq + 1;
    const entry = { seq, hash: `h${seq}`, requestId };
    this.open?.push(entry);
    return { answer: { ok: true, outcome: `placed ${requestId}` }, entry };
  }
  bytes(): number {
    return 1;
  }
  assertChained(after: Position, entries: readonly E[]): void {
    entries.forEach((e, i) => expect(e.seq).toBe(after.seq + i + 1));
  }
  commit(committedSeq: number): void {
    if (this.failNextCommit) {
      this.failNextCommit = false;
      throw new Error('disk full');
    }
    this.committed.push(...(this.open ?? []));
    this.open = null;
    this.committedSeq = Math.max(this.committedSeq, committedSeq);
  }
  rollback(): void {
    this.open = null;
  }
  noteCommitted(seq: number): void {
    this.committedSeq = Math.max(this.committedSeq, seq);
  }
}

type Call = [string, ...unknown[]];

/** Records every call of the sink, in order. */
function recordingSink(): { sink: PrimarySink<E, string>; calls: Call[]; take(kind?: string): Call[] } {
  const calls: Call[] = [];
  const record =
    (kind: string) =>
    (...args: unknown[]) => {
      calls.push([kind, ...args]);
    };
  const sink: PrimarySink<E, string> = {
    ship: record('ship'),
    sendSnapshot: record('snapshot'),
    answer: record('answer'),
    report: record('report'),
    refreshView: record('refreshView'),
    addBackup: record('addBackup'),
    joined: record('joined'),
    ready: record('ready'),
    committed: record('committed'),
    lacksCommitted: record('lacksCommitted'),
    storeFailed: record('storeFailed'),
  };
  return {
    sink,
    calls,
    take(kind?: string) {
      const taken = calls.splice(0);
      return kind ? taken.filter((c) => c[0] === kind) : taken;
    },
  };
}

const LIMITS: PrimaryLimits = {
  batchOpsMax: 4,
  shipEntriesMax: 100,
  shipBytesMax: 1_000_000,
  replicationTimeoutMs: 100,
  snapshotTimeoutMs: 1000,
  joinAnswerMs: 500,
  refreshMs: 50,
};

function primaryOf(view: View, minReplicas = 2) {
  const log = new MemoryLog();
  const out = recordingSink();
  const core = new PrimaryCore('p', log, out.sink, LIMITS, { view, minReplicas, committedSeq: 0 });
  return { core, log, out };
}

const ok = (position: Position): ShipReply => ({ ok: true, position });

/** The round id of the last shipment to `to`. */
function lastRound(calls: Call[], to: string): number {
  const ship = calls.filter((c) => (c[0] === 'ship' || c[0] === 'snapshot') && c[1] === to).at(-1);
  expect(ship, `a shipment to ${to}`).toBeDefined();
  return ship?.[2] as number;
}

/** A ready primary of view 1 with backups b and c. */
function readyPrimary() {
  const p = primaryOf({ epoch: 1, primary: 'p', backups: ['b', 'c'] });
  p.core.start(0);
  const calls = p.out.take();
  for (const b of ['b', 'c']) p.core.shipReply(1, b, lastRound(calls, b), ok(GENESIS));
  expect(p.out.take().map((c) => c[0])).toEqual(['ready']);
  return p;
}

describe('the primary core', () => {
  it('levels every backup before it takes writes', () => {
    const { core, out } = primaryOf({ epoch: 1, primary: 'p', backups: ['b', 'c'] });
    core.start(0);
    expect(core.submit('r1', 1, 'order')).toMatchObject({ ok: false, refusal: 'NOT_READY' });
    const calls = out.take();
    expect(calls.map((c) => [c[0], c[1]])).toEqual([
      ['ship', 'b'],
      ['ship', 'c'],
    ]);
    core.shipReply(1, 'b', lastRound(calls, 'b'), ok(GENESIS));
    expect(core.isReady).toBe(false);
    core.shipReply(1, 'c', lastRound(calls, 'c'), ok(GENESIS));
    expect(core.isReady).toBe(true);
  });

  it('commits a batch once every backup holds it, and answers each request (group commit)', () => {
    const { core, log, out } = readyPrimary();
    expect(core.submit('r1', 1, 'order')).toBeNull();
    expect(core.submit('r2', 1, 'order')).toBeNull();
    expect(core.submit('r3', 1, 'refuse')).toBeNull();
    core.pump(2);
    const ships = out.take('ship');
    expect(ships).toHaveLength(2);
    expect((ships[0]?.[3] as { entries: E[] }).entries.map((e) => e.requestId)).toEqual(['r1', 'r2']);
    core.shipReply(3, 'b', lastRound(ships, 'b'), ok({ seq: 2, hash: 'h2' }));
    expect(out.take('answer')).toEqual([]);
    expect(log.committed).toEqual([]);
    core.shipReply(4, 'c', lastRound(ships, 'c'), ok({ seq: 2, hash: 'h2' }));
    expect(out.take('answer').map((c) => [c[1], (c[2] as Answer<string>).ok])).toEqual([
      ['r1', true],
      ['r2', true],
      ['r3', true],
    ]);
    expect(log.committed.map((e) => e.seq)).toEqual([1, 2]);
    expect(log.committedSeq).toBe(2);
    // A retry of a committed request is answered from the dedupe table, not run again.
    expect(core.submit('r1', 1, 'order')).toEqual({ ok: true, outcome: 'done r1' });
  });

  it('sends a backup behind what it lacks, and a backup that diverged a snapshot', () => {
    const { core, out } = readyPrimary();
    core.submit('r1', 1, 'order');
    core.pump(2);
    let ships = out.take();
    core.shipReply(3, 'c', lastRound(ships, 'c'), ok({ seq: 1, hash: 'h1' }));
    core.shipReply(3, 'b', lastRound(ships, 'b'), { ok: false, code: 'DIVERGED', position: { seq: 1, hash: 'other' } });
    ships = out.take();
    expect(ships.map((c) => [c[0], c[1]])).toEqual([['snapshot', 'b']]);
    // Installed a snapshot of the committed state: it still lacks the round, sent as entries.
    core.shipReply(4, 'b', lastRound(ships, 'b'), ok(GENESIS));
    ships = out.take();
    expect(ships.map((c) => [c[0], c[1], (c[3] as { entries: E[] }).entries.map((e) => e.seq)])).toEqual([['ship', 'b', [1]]]);
    core.shipReply(5, 'b', lastRound(ships, 'b'), ok({ seq: 1, hash: 'h1' }));
    expect(out.take('answer')).toHaveLength(1);
  });

  it('reports a backup that does not answer and commits once the view service drops it', () => {
    const { core, log, out } = readyPrimary();
    core.submit('r1', 1, 'order');
    core.pump(2);
    const ships = out.take();
    core.shipReply(3, 'b', lastRound(ships, 'b'), ok({ seq: 1, hash: 'h1' }));
    core.tick(50);
    expect(out.take('report')).toEqual([]);
    core.tick(2 + LIMITS.replicationTimeoutMs);
    expect(out.take('report')).toEqual([['report', 1, 'c']]);
    // Dropped: a view of p and b (still its minimum size) commits the round.
    core.viewHeard(110, { epoch: 2, primary: 'p', backups: ['b'] }, 2);
    const again = out.take();
    expect(again.map((c) => [c[0], c[1]])).toEqual([['ship', 'b']]);
    core.shipReply(111, 'b', lastRound(again, 'b'), ok({ seq: 1, hash: 'h1' }));
    expect(out.take('answer')).toHaveLength(1);
    expect(log.committed).toHaveLength(1);
  });

  it('answers nothing from a round shipped under an older view: every backup must take it at the new epoch', () => {
    const { core, out } = readyPrimary();
    core.submit('r1', 1, 'order');
    core.pump(2);
    const old = out.take();
    core.viewHeard(3, { epoch: 2, primary: 'p', backups: ['b', 'c'] }, 2);
    const fresh = out.take();
    for (const b of ['b', 'c']) core.shipReply(4, b, lastRound(old, b), ok({ seq: 1, hash: 'h1' }));
    expect(out.take('answer')).toEqual([]);
    for (const b of ['b', 'c']) core.shipReply(5, b, lastRound(fresh, b), ok({ seq: 1, hash: 'h1' }));
    expect(out.take('answer')).toHaveLength(1);
  });

  it('keeps asking for the newer view a backup knows of until it comes, then levels under it (the bug found by reading)', () => {
    const { core, out } = primaryOf({ epoch: 4, primary: 'p', backups: ['b'] });
    core.start(0);
    const first = out.take();
    core.shipReply(1, 'b', lastRound(first, 'b'), { ok: false, code: 'STALE_EPOCH', position: GENESIS });
    expect(out.take('refreshView')).toHaveLength(1);
    // The view service cannot be reached: nothing comes back, and the primary asks again, and again.
    core.tick(1 + LIMITS.refreshMs);
    core.tick(1 + 2 * LIMITS.refreshMs);
    expect(out.calls.filter((c) => c[0] === 'refreshView').length).toBeGreaterThanOrEqual(2);
    out.take();
    core.viewHeard(200, { epoch: 5, primary: 'p', backups: ['b'] }, 2);
    const shipped = out.take();
    expect(shipped.map((c) => [c[0], c[1], (c[3] as { epoch: number }).epoch])).toEqual([['ship', 'b', 5]]);
    core.shipReply(201, 'b', lastRound(shipped, 'b'), ok(GENESIS));
    expect(core.isReady).toBe(true);
  });

  it('confirms a retried request it holds from a former primary before answering it (found by the simulator, seed 9270)', () => {
    // p was a backup: the old primary shipped r1 to it and died before committing. p now leads a view below its minimum.
    const { core, log, out } = primaryOf({ epoch: 2, primary: 'p', backups: [] });
    log.committed.push({ seq: 1, hash: 'h1', requestId: 'r1' });
    core.start(0);
    expect(core.isReady).toBe(true);
    // Not acknowledged from p's log alone: p may be the only one holding it, and it may yet be lost.
    expect(core.submit('r1', 2, 'order')).toMatchObject({ ok: false, refusal: 'NOT_READY' });
    out.take();
    core.viewHeard(1, { epoch: 3, primary: 'p', backups: ['b'] }, 2);
    const levelling = out.take();
    expect(core.submit('r1', 3, 'order')).toBeNull();
    core.pump(2);
    core.shipReply(3, 'b', lastRound(levelling, 'b'), ok({ seq: 1, hash: 'h1' }));
    expect(out.take('answer')).toEqual([['answer', 'r1', { ok: true, outcome: 'done r1' }]]);
    expect(log.committedSeq).toBe(1);
    expect(core.submit('r1', 3, 'order')).toEqual({ ok: true, outcome: 'done r1' });
  });

  it('commits nothing in a view below its minimum size: the round rolls back and is refused', () => {
    const { core, log, out } = readyPrimary();
    core.submit('r1', 1, 'order');
    core.pump(2);
    out.take();
    core.viewHeard(3, { epoch: 2, primary: 'p', backups: [] }, 2);
    expect(out.take('answer')).toEqual([['answer', 'r1', { ok: false, refusal: 'ROUND_FAILED', message: 'the view is below its minimum size' }]]);
    expect(log.committed).toEqual([]);
    expect(log.open).toBeNull();
    expect(core.submit('r2', 2, 'order')).toMatchObject({ ok: false, refusal: 'NOT_READY' });
  });

  it('brings a joiner exactly level and commits nothing until the view service has answered', () => {
    const { core, out } = readyPrimary();
    core.join(2, 'd');
    const levelling = out.take();
    expect(levelling.map((c) => [c[0], c[1]])).toEqual([['ship', 'd']]);
    core.shipReply(3, 'd', lastRound(levelling, 'd'), ok(GENESIS));
    expect(out.take()).toEqual([['addBackup', 1, 'd']]);
    core.submit('r1', 1, 'order');
    core.pump(4);
    expect(out.take('ship')).toEqual([]);
    const bigger = { epoch: 2, primary: 'p', backups: ['b', 'c', 'd'] };
    core.joinAnswer(5, bigger);
    expect(out.take('joined')).toEqual([['joined', 'd', bigger, 'added']]);
  });

  it('gives a join up when the view service never answers, and goes on with writes', () => {
    const { core, out } = readyPrimary();
    core.join(2, 'd');
    core.shipReply(3, 'd', lastRound(out.take(), 'd'), ok(GENESIS));
    out.take();
    core.submit('r1', 1, 'order');
    core.tick(3 + LIMITS.joinAnswerMs);
    const calls = out.take();
    expect(calls.filter((c) => c[0] === 'joined')).toEqual([['joined', 'd', null, 'the view service did not answer']]);
    expect(calls.filter((c) => c[0] === 'ship').map((c) => c[1])).toEqual(['b', 'c']);
  });

  it('steps down when a backup holds committed writes it lacks, refusing what it had', () => {
    const { core, log, out } = readyPrimary();
    core.submit('r1', 1, 'order');
    core.pump(2);
    const ships = out.take();
    core.shipReply(3, 'b', lastRound(ships, 'b'), { ok: false, code: 'BEHIND', position: { seq: 9, hash: 'h9' }, committedSeq: 9 });
    expect(core.isLeading).toBe(false);
    expect(out.take().map((c) => c[0])).toEqual(['answer', 'lacksCommitted']);
    expect(log.open).toBeNull();
    expect(core.submit('r2', 1, 'order')).toMatchObject({ ok: false, refusal: 'NOT_PRIMARY' });
  });

  it('refuses the round when the store cannot commit it, and says why', () => {
    const { core, log, out } = readyPrimary();
    core.submit('r1', 1, 'order');
    core.pump(2);
    const ships = out.take();
    log.failNextCommit = true;
    for (const b of ['b', 'c']) core.shipReply(3, b, lastRound(ships, b), ok({ seq: 1, hash: 'h1' }));
    expect(out.take().map((c) => [c[0], c[1]])).toEqual([
      ['answer', 'r1'],
      ['storeFailed', new Error('disk full')],
    ]);
    expect(log.committed).toEqual([]);
  });

  it('stops on a round that does not chain: a broken invariant is not a store failure to step down from', () => {
    const { core, log, out } = readyPrimary();
    log.assertChained = () => {
      throw new InvariantBroken('entry 1 does not follow 0');
    };
    core.submit('r1', 1, 'order');
    expect(() => core.pump(2)).toThrow(InvariantBroken);
    expect(out.take('storeFailed')).toEqual([]);
  });

  it('refuses a write, and says so, when the store cannot be read (a failing disk)', () => {
    const { core, log, out } = readyPrimary();
    log.dedupedResult = () => {
      throw new Error('SQLITE_IOERR');
    };
    expect(core.submit('r1', 1, 'order')).toMatchObject({ ok: false, refusal: 'ROUND_FAILED' });
    expect(out.take('storeFailed')).toEqual([['storeFailed', new Error('SQLITE_IOERR')]]);
  });

  it('stops a primary named in a view it is its own backup of (a broken invariant)', () => {
    const { core } = readyPrimary();
    expect(() => core.viewHeard(2, { epoch: 2, primary: 'p', backups: ['p'] }, 2)).toThrow(/its own backup/);
  });
});
