// The primary's half of replication, decided without I/O. Requests queue; a
// round takes a batch of them (group commit) and runs them in the store's
// open transaction; its entries ship to every backup of the view; a backup
// that is behind gets what it lacks (the log suffix, or a snapshot); one that
// does not answer is reported to the view service, which drops it from the
// view; the round commits, and its requests are answered, only when every
// backup of a view that may commit holds it. A new view is levelled (every
// backup brought to our head at its epoch) before anything more commits, and
// a joiner is brought exactly level with no round in flight before the view
// service is asked to add it.
//
// Everything outside comes in through three small interfaces: the store (the
// log and the business rules in one transaction), the sink (messages out and
// answers) and the time each input is given. replicas/primary.ts runs this
// with HTTP, SQLite and timers; the simulator (sim/world.ts) with an
// in-memory network, log and clock.
import type { Position, Refusal, View } from '../protocol.ts';
import { InvariantBroken, invariant } from './invariant.ts';
import { type Chained, type LogPosition, catchUpPlan } from './shipments.ts';

export type Answer<V> = { ok: true; outcome: V } | { ok: false; refusal: Refusal; message: string };

/** What the primary needs of its store. Operations that fail (a full disk) throw; broken invariants throw InvariantBroken. */
export interface PrimaryStore<C, E extends Chained, V> extends LogPosition {
  /** The answer of a request already in the log (the dedupe table) and the seq of its entry, or null. */
  dedupedResult(requestId: string): { outcome: V; seq: number } | null;
  /** Up to `max` entries after `seq` for a backup behind, within one shipment's byte limit (always at least one). */
  entriesAfter(seq: number, max: number): E[];
  /** Opens the round's transaction. */
  begin(): void;
  /** Runs one command inside the round: its answer, and the entry it appended (null when it changed nothing or was refused). */
  run(requestId: string, command: C, epoch: number): { answer: Answer<V>; entry: E | null };
  /** Bytes an entry takes in a shipment. */
  bytes(entry: E): number;
  /** The entries follow `after` with no gap and extend its hash chain (throws InvariantBroken if not). */
  assertChained(after: Position, entries: readonly E[]): void;
  /** Makes the round durable, with the commit point `committedSeq`. */
  commit(committedSeq: number): void;
  rollback(): void;
  /** Records a commit point with no round open (every backup holds our whole log). */
  noteCommitted(seq: number): void;
}

export interface Shipment<E> {
  epoch: number;
  after: Position;
  entries: E[];
  /** Our commit point: a backup never gives up what was acknowledged. */
  committedSeq: number;
}

/** A backup's answer to a shipment or a snapshot (the ReplicateResponse of replicas/protocol.ts). */
export type ShipReply =
  | { ok: true; position: Position }
  | { ok: false; code: 'STALE_EPOCH' | 'GAP' | 'DIVERGED' | 'BEHIND'; position: Position; committedSeq?: number | undefined };

/** Everything the primary does to the world. Each call returns at once; answers come back as inputs. */
export interface PrimarySink<E, V> {
  ship(to: string, round: number, shipment: Shipment<E>): void;
  /** Ask `to` to install our snapshot; its answer comes back as a ShipReply for `round`. */
  sendSnapshot(to: string, round: number, epoch: number): void;
  answer(requestId: string, answer: Answer<V>): void;
  /** A backup did not answer: tell the view service (its answer comes back through viewHeard). */
  report(epoch: number, backup: string): void;
  /** A backup follows a newer view than ours: learn it (it comes back through viewHeard). */
  refreshView(): void;
  /** Ask the view service to add a joiner we brought level (its answer: joinAnswer and viewHeard). */
  addBackup(epoch: number, backup: string): void;
  /** The outcome of a join: the view that includes it, or null and why not. */
  joined(backup: string, view: View | null, why: string): void;
  /** Every backup of the view is level: writes are taken from now on. */
  ready(): void;
  /** A round committed `entries`, taking `ms` from opening to commit. */
  committed(entries: readonly E[], ms: number): void;
  /** A backup holds writes committed up to `seq` that we lack: we stopped, and must not lead again until we have them. */
  lacksCommitted(seq: number): void;
  /** A store operation failed (a full disk, say): the round was rolled back and refused. */
  storeFailed(error: unknown): void;
}

export interface PrimaryLimits {
  /** Most requests in one round. */
  batchOpsMax: number;
  /** Most log entries shipped at once to a backup behind. */
  shipEntriesMax: number;
  /** A round stops taking requests once its entries pass half this (a shipment must fit a peer's body limit). */
  shipBytesMax: number;
  /** How long a backup has to answer one shipment. */
  replicationTimeoutMs: number;
  /** How long a backup has to install a snapshot. */
  snapshotTimeoutMs: number;
  /** How long the view service has to answer an add-backup before the join is given up. */
  joinAnswerMs: number;
  /** How often to ask again for a newer view while a backup says there is one. */
  refreshMs: number;
}

/**
 * LEVELLING (bringing the view's backups to our head) -> READY (taking
 * writes) -> STOPPED (deposed: queued writes refused); STOPPED is final.
 */
type PrimaryState = 'LEVELLING' | 'READY' | 'STOPPED';

const PRIMARY_MOVES: Record<PrimaryState, readonly PrimaryState[]> = {
  LEVELLING: ['READY', 'STOPPED'],
  READY: ['STOPPED'],
  STOPPED: [],
};

/** A write waiting for a round, with what the dedupe table held for it when it came (read once, on the write path). */
interface Queued<C, V> {
  requestId: string;
  command: C;
  /** Already in our log, above the commit point: the round answers it once every backup holds it. */
  deduped: { outcome: V; seq: number } | null;
}

/** Where one backup stands in the open round. */
interface Progress {
  /** Holds the round's head at the view's epoch. */
  level: boolean;
  /** When the call in flight times out (null: none in flight). */
  deadline: number | null;
  /** When to send again after a failure (null: not waiting to). */
  retryAt: number | null;
  failures: number;
}

interface Round<C, E, V> {
  id: number;
  /** level: no entries, every backup to our head (a new view); write: a batch; join: one joiner to our head. */
  kind: 'level' | 'write' | 'join';
  joiner: string | null;
  after: Position;
  entries: E[];
  /** A request was answered from an entry not yet known committed: the round must level every backup to confirm it. */
  confirms: boolean;
  requests: Queued<C, V>[];
  answers: Answer<V>[];
  openedAt: number;
  backups: Map<string, Progress>;
}

export interface PrimaryStart {
  view: View;
  minReplicas: number;
  /** The highest seq known to be committed when this replica became primary. */
  committedSeq: number;
}

export class PrimaryCore<C, E extends Chained, V> {
  private state: PrimaryState = 'LEVELLING';
  private view: View;
  private minReplicas: number;
  private committedSeq: number;
  private readonly queue: Queued<C, V>[] = [];
  /** Ids queued or in the open round: a retry of one waits for the same answer. */
  private readonly pending = new Set<string>();
  private round: Round<C, E, V> | null = null;
  private rounds = 0;
  private readonly joiners: string[] = [];
  /** A joiner brought level and its addition asked for: nothing commits until the answer (it must not become a holder that lacks a commit). */
  private joining: { backup: string; epoch: number; sentAt: number } | null = null;
  /** When we last asked for a newer view a backup told us of (null: not waiting for one). */
  private viewAskedAt: number | null = null;

  constructor(
    readonly name: string,
    private readonly store: PrimaryStore<C, E, V>,
    private readonly sink: PrimarySink<E, V>,
    private readonly limits: PrimaryLimits,
    start: PrimaryStart,
  ) {
    invariant(start.view.primary === name, `${name} became primary of a view led by ${start.view.primary}`);
    invariant(!start.view.backups.includes(name), `${name} is its own backup in view ${start.view.epoch}`);
    this.view = start.view;
    this.minReplicas = start.minReplicas;
    this.committedSeq = start.committedSeq;
  }

  /** Becomes primary of the view: first brings every backup level at its epoch. */
  start(now: number): void {
    this.openLevel(now);
  }

  get isLeading(): boolean {
    return this.state !== 'STOPPED';
  }

  get isReady(): boolean {
    return this.state === 'READY';
  }

  // ---- inputs --------------------------------------------------------------------------------

  /** A write: an answer now (a refusal, or a deduplicated result), or null when it will come through sink.answer. */
  submit(requestId: string, epoch: number, command: C): Answer<V> | null {
    if (this.state === 'STOPPED') return refusal('NOT_PRIMARY', `${this.name} is no longer the primary`);
    if (epoch !== this.view.epoch) return refusal('STALE_EPOCH', `epoch ${epoch} is not ${this.view.epoch}`);
    if (this.state !== 'READY') return refusal('NOT_READY', 'the primary is bringing its backups level');
    if (this.pending.has(requestId)) return null;
    // Answered from the dedupe table only when its entry is committed: one a former primary shipped us
    // but never committed (we hold it, perhaps alone) is confirmed by a round first.
    let done: Queued<C, V>['deduped'];
    try {
      done = this.store.dedupedResult(requestId);
    } catch (error) {
      return this.readFailed(error);
    }
    if (done !== null && done.seq <= this.committedSeq) return { ok: true, outcome: done.outcome };
    if (!this.bigEnough()) return refusal('NOT_READY', `the view has ${1 + this.view.backups.length} of ${this.minReplicas} replicas`);
    // Nothing else can add this id to our log meanwhile (a retry of it waits on `pending`): the round need not read it again.
    this.queue.push({ requestId, command, deduped: done });
    this.pending.add(requestId);
    return null;
  }

  /** Opens the next round if none is open (the adapter calls it once requests already on their way have queued: group commit). */
  pump(now: number): void {
    if (this.round || this.state !== 'READY' || this.joining) return;
    const joiner = this.joiners.shift();
    if (joiner !== undefined) return this.openJoin(now, joiner);
    if (this.queue.length > 0) this.openWrite(now);
  }

  /** A replica asks to join the view: it is brought level, then the view service is asked to add it. */
  join(now: number, backup: string): void {
    if (this.state !== 'READY') return this.sink.joined(backup, null, `${this.name} is not a ready primary`);
    if (backup === this.name) return this.sink.joined(backup, null, 'a primary cannot be its own backup');
    if (this.view.backups.includes(backup)) return this.sink.joined(backup, this.view, 'already a backup');
    if (this.joining?.backup === backup) {
      // It asks again while we wait for the view service: our ask (or its answer) may have been lost. Nothing has
      // committed since (a join blocks commits), so it is exactly as level as when we first asked: ask again.
      return this.sink.addBackup(this.joining.epoch, backup);
    }
    if (this.round?.joiner === backup || this.joiners.includes(backup)) return;
    this.joiners.push(backup);
    this.pump(now);
  }

  /** A backup answered a shipment (or a snapshot) of round `roundId`. */
  shipReply(now: number, from: string, roundId: number, reply: ShipReply): void {
    const round = this.round;
    const progress = round?.id === roundId ? round.backups.get(from) : undefined;
    if (!round || !progress || this.state === 'STOPPED') return;
    progress.deadline = null;
    if (reply.ok) {
      if (samePosition(reply.position, roundHead(round))) {
        progress.level = true;
        progress.failures = 0;
        return this.maybeFinish(now);
      }
      return this.levelFrom(now, round, from, progress, reply.position);
    }
    switch (reply.code) {
      case 'STALE_EPOCH':
        // A newer view exists: learn it (until we do, ask again every refreshMs) and send again then.
        progress.retryAt = now + this.limits.refreshMs;
        return this.askForView(now);
      case 'BEHIND':
        // Named primary by a stale view (a view service still learning after a restart, say): step down, never overwrite.
        this.stop(now, 'a backup holds committed writes this primary lacks');
        return this.sink.lacksCommitted(reply.committedSeq ?? this.store.head.seq + 1);
      case 'GAP':
      case 'DIVERGED':
        return this.levelFrom(now, round, from, progress, reply.position);
    }
  }

  /** A shipment to `from` failed (no answer in time, or the connection was refused). */
  shipFailed(now: number, from: string, roundId: number): void {
    const round = this.round;
    const progress = round?.id === roundId ? round.backups.get(from) : undefined;
    if (!round || !progress || progress.level || this.state === 'STOPPED') return;
    this.failed(now, from, progress);
  }

  /** The view service's view (every notice, also an unchanged one). */
  viewHeard(now: number, view: View, minReplicas: number): void {
    if (this.state === 'STOPPED' || view.epoch < this.view.epoch) return;
    this.minReplicas = minReplicas;
    if (view.primary !== this.name) return this.stop(now, `view ${view.epoch} has another primary`);
    invariant(!view.backups.includes(this.name), `${this.name} is its own backup in view ${view.epoch}`);
    if (view.epoch === this.view.epoch) return;
    this.view = view;
    this.viewAskedAt = null;
    const joining = this.joining;
    if (joining) {
      this.joining = null;
      if (view.backups.includes(joining.backup)) this.sink.joined(joining.backup, view, 'added');
      else this.sink.joined(joining.backup, null, `view ${view.epoch} does not include it`);
    }
    const round = this.round;
    if (round?.kind === 'join') {
      // The view changed under a join: give it up (the joiner asks again) and level the new view.
      this.round = null;
      this.sink.joined(round.joiner ?? '?', null, `the view changed to ${view.epoch}`);
    }
    if (this.round) {
      // Every backup of the new view must hold the round at its epoch (one that has it answers at once);
      // a new id, so that answers to what was sent under the old epoch count for nothing.
      this.round.id = ++this.rounds;
      this.round.backups = new Map(view.backups.map((backup) => [backup, fresh()]));
      for (const backup of view.backups) this.send(now, this.round, backup);
      this.maybeFinish(now);
    } else {
      this.openLevel(now);
    }
  }

  /** The view service answered an add-backup: the view, or null when the answer never came (a timeout). */
  joinAnswer(now: number, view: View | null): void {
    if (view) this.viewHeard(now, view, this.minReplicas);
    const joining = this.joining;
    if (!joining || view === null) return;
    // Not added (the same view came back): the joiner asks again later.
    this.joining = null;
    this.sink.joined(joining.backup, null, `the view service did not add it to view ${view.epoch}`);
    this.pump(now);
  }

  /** Time passes: calls that timed out, sends due again, a view we still wait for, a join with no answer. */
  tick(now: number): void {
    if (this.state === 'STOPPED') return;
    const round = this.round;
    if (round) {
      for (const [backup, progress] of round.backups) {
        if (progress.level) continue;
        if (progress.deadline !== null && now >= progress.deadline) this.failed(now, backup, progress);
        else if (progress.deadline === null && progress.retryAt !== null && now >= progress.retryAt) this.send(now, round, backup);
      }
    }
    if (this.viewAskedAt !== null && now - this.viewAskedAt >= this.limits.refreshMs) this.askForView(now);
    if (this.joining && now - this.joining.sentAt >= this.limits.joinAnswerMs) {
      const { backup } = this.joining;
      this.joining = null;
      this.sink.joined(backup, null, 'the view service did not answer');
    }
    this.pump(now);
  }

  /** Deposed (or closing): the open round rolls back and is refused, as is everything queued. */
  stop(_now: number, why: string): void {
    if (this.state === 'STOPPED') return;
    this.moveTo('STOPPED');
    const round = this.round;
    this.round = null;
    if (round?.kind === 'write') this.failWrite(round, why);
    if (round?.kind === 'join') this.sink.joined(round.joiner ?? '?', null, why);
    for (const { requestId } of this.queue.splice(0)) this.answer(requestId, refusal('NOT_PRIMARY', `${this.name} is no longer the primary: ${why}`));
    for (const backup of this.joiners.splice(0)) this.sink.joined(backup, null, why);
    if (this.joining) this.sink.joined(this.joining.backup, null, why);
    this.joining = null;
  }

  // ---- rounds --------------------------------------------------------------------------------

  private openLevel(now: number): void {
    this.round = this.newRound(now, 'level', null, this.view.backups);
    for (const backup of this.view.backups) this.send(now, this.round, backup);
    this.maybeFinish(now);
  }

  private openJoin(now: number, joiner: string): void {
    this.round = this.newRound(now, 'join', joiner, [joiner]);
    this.send(now, this.round, joiner);
  }

  private openWrite(now: number): void {
    const batch = this.queue.splice(0, this.limits.batchOpsMax);
    const round = this.newRound(now, 'write', null, this.view.backups);
    round.requests = batch;
    this.round = round;
    try {
      this.store.begin();
      let bytes = 0;
      for (const [i, { requestId, command, deduped: done }] of batch.entries()) {
        if (done !== null) {
          round.answers.push({ ok: true, outcome: done.outcome });
          if (done.seq > this.committedSeq) round.confirms = true;
          continue;
        }
        const { answer, entry } = this.store.run(requestId, command, this.view.epoch);
        round.answers.push(answer);
        if (!entry) continue;
        round.entries.push(entry);
        bytes += this.store.bytes(entry);
        // The round's shipment must fit a peer's body limit: the rest waits for the next round.
        if (bytes > this.limits.shipBytesMax / 2 && i + 1 < batch.length) {
          this.queue.unshift(...round.requests.splice(i + 1));
          break;
        }
      }
      // What ships follows our head and chains (asserted once per round, whatever the number of backups);
      // paired with each backup's check on receipt.
      this.store.assertChained(round.after, round.entries);
    } catch (error) {
      this.round = null;
      this.failWrite(round, 'the store refused the round');
      this.storeFailed(error);
      return;
    }
    // Nothing to ship (every request refused, or answered from entries already committed): the round ends at once.
    if (!shipsAnything(round)) round.backups.clear();
    for (const backup of round.backups.keys()) this.send(now, round, backup);
    this.maybeFinish(now);
  }

  private newRound(now: number, kind: Round<C, E, V>['kind'], joiner: string | null, backups: readonly string[]): Round<C, E, V> {
    return { id: ++this.rounds, kind, joiner, after: this.store.head, entries: [], confirms: false, requests: [], answers: [], openedAt: now, backups: new Map(backups.map((b) => [b, fresh()])) };
  }

  /** Sends the round (its entries after its start) to one backup. */
  private send(now: number, round: Round<C, E, V>, backup: string): void {
    const progress = round.backups.get(backup);
    if (!progress) return;
    progress.level = false;
    progress.retryAt = null;
    progress.deadline = now + this.limits.replicationTimeoutMs;
    this.sink.ship(backup, round.id, { epoch: this.view.epoch, after: round.after, entries: round.entries, committedSeq: this.committedSeq });
  }

  /** The backup's head is `position`, not ours: send what it lacks, or a snapshot. */
  private levelFrom(now: number, round: Round<C, E, V>, backup: string, progress: Progress, position: Position): void {
    if (catchUpPlan(this.store, position) === 'entries') {
      let missing: E[];
      try {
        missing = this.store.entriesAfter(position.seq, this.limits.shipEntriesMax);
      } catch (error) {
        // Sent again after a backoff, unless the failure takes us out of the view first.
        this.readFailed(error);
        progress.retryAt = now + this.limits.refreshMs;
        return;
      }
      this.store.assertChained(position, missing);
      progress.deadline = now + this.limits.replicationTimeoutMs;
      this.sink.ship(backup, round.id, { epoch: this.view.epoch, after: position, entries: missing, committedSeq: this.committedSeq });
    } else {
      progress.deadline = now + this.limits.snapshotTimeoutMs;
      this.sink.sendSnapshot(backup, round.id, this.view.epoch);
    }
  }

  /**
   * No answer: report the backup (the view service drops it if it is gone) and
   * send again after a backoff. A joiner is not in the view: its join is given
   * up instead (it asks again), so that writes wait no longer.
   */
  private failed(now: number, backup: string, progress: Progress): void {
    const round = this.round;
    if (round?.kind === 'join') {
      this.round = null;
      this.sink.joined(backup, null, 'it did not answer while being brought level');
      return this.pump(now);
    }
    progress.deadline = null;
    progress.failures++;
    progress.retryAt = now + Math.min(500, 10 * progress.failures);
    this.sink.report(this.view.epoch, backup);
  }

  /** A store read failed (a failing disk): the write is refused, not lost. */
  private readFailed(error: unknown): Answer<never> {
    this.storeFailed(error);
    return refusal('ROUND_FAILED', 'the store could not be read');
  }

  /**
   * A store operation failed: the adapter decides (a disk error steps the
   * replica down). A broken invariant (a shipment that does not chain, say)
   * is no store failure: it goes on up and stops the process.
   */
  private storeFailed(error: unknown): void {
    if (error instanceof InvariantBroken) throw error;
    this.sink.storeFailed(error);
  }

  private askForView(now: number): void {
    this.viewAskedAt = now;
    this.sink.refreshView();
  }

  /** Every backup holds the round: commit it (or, for a view below its minimum size, refuse it). */
  private maybeFinish(now: number): void {
    const round = this.round;
    if (!round || this.state === 'STOPPED') return;
    for (const progress of round.backups.values()) if (!progress.level) return;
    this.round = null;
    switch (round.kind) {
      case 'join':
        // Level, with no round in flight: ask for it to be added, and commit nothing until the answer.
        this.joining = { backup: round.joiner ?? '?', epoch: this.view.epoch, sentAt: now };
        this.sink.addBackup(this.view.epoch, this.joining.backup);
        return;
      case 'level':
        if (!this.commitLevelled()) return;
        if (this.state === 'LEVELLING') {
          this.moveTo('READY');
          this.sink.ready();
        }
        return this.pump(now);
      case 'write':
        this.commitWrite(now, round);
        return this.pump(now);
    }
  }

  private commitWrite(now: number, round: Round<C, E, V>): void {
    // A view below its minimum size commits nothing, so the members of the last view that could
    // take writes hold every committed write.
    const shipped = shipsAnything(round);
    if (shipped && !this.bigEnough()) return this.failWrite(round, 'the view is below its minimum size');
    // Every backup of the view holds our log up to the round's head: all of it is committed.
    const head = roundHead(round);
    try {
      this.store.commit(shipped ? head.seq : this.committedSeq);
    } catch (error) {
      this.failWrite(round, 'the store refused the commit');
      this.storeFailed(error);
      return;
    }
    if (shipped) this.committedSeq = Math.max(this.committedSeq, head.seq);
    round.requests.forEach(({ requestId }, i) => this.answer(requestId, round.answers[i] ?? refusal('INTERNAL', 'no answer')));
    if (round.entries.length > 0) this.sink.committed(round.entries, now - round.openedAt);
  }

  /**
   * Every backup of a view that may take writes holds our whole log: it is
   * committed. (In a smaller view nothing is, until enough backups join.)
   */
  private commitLevelled(): boolean {
    if (!this.bigEnough()) return true;
    const { seq } = this.store.head;
    try {
      this.store.noteCommitted(seq);
    } catch (error) {
      this.storeFailed(error);
      return false;
    }
    this.committedSeq = Math.max(this.committedSeq, seq);
    return true;
  }

  /** Rolls the round back; its requests are refused (answered first, so the router sends them to the next primary). */
  private failWrite(round: Round<C, E, V>, why: string): void {
    this.store.rollback();
    for (const { requestId } of round.requests) this.answer(requestId, refusal('ROUND_FAILED', why));
  }

  private answer(requestId: string, answer: Answer<V>): void {
    this.pending.delete(requestId);
    this.sink.answer(requestId, answer);
  }

  private bigEnough(): boolean {
    return 1 + this.view.backups.length >= this.minReplicas;
  }

  private moveTo(next: PrimaryState): void {
    invariant(PRIMARY_MOVES[this.state].includes(next), `primary state ${this.state} cannot become ${next}`);
    this.state = next;
  }
}

function fresh(): Progress {
  return { level: false, deadline: null, retryAt: null, failures: 0 };
}

/** A write round ships (and commits) its entries, or entries it answered from that were not yet known committed. */
function shipsAnything(round: { entries: readonly unknown[]; confirms: boolean }): boolean {
  return round.entries.length > 0 || round.confirms;
}

/** Where a backup stands once it holds the whole round. */
function roundHead(round: { after: Position; entries: readonly Chained[] }): Position {
  const last = round.entries.at(-1);
  return last ? { seq: last.seq, hash: last.hash } : round.after;
}

function samePosition(a: Position, b: Position): boolean {
  return a.seq === b.seq && a.hash === b.hash;
}

export function refusal(code: Refusal, message: string): Answer<never> {
  return { ok: false, refusal: code, message };
}
