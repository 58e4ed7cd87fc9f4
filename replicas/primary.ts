// The primary's write path: requests queue up, a round takes a batch of them
// (group commit), runs the business rules inside one open SQLite transaction,
// ships the effects to every backup of the view, and commits and answers only
// when every backup has durably applied them.
import type { Logger } from 'pino';
import { execute } from './domain/commands.ts';
import type { Outcome } from './domain/types.ts';
import { fatal, fatalIfBroken } from './fatal.ts';
import { assertChained } from './hash-chain.ts';
import { PeerError, SHIP_BYTES_MAX, SNAPSHOT_INSTALL_MS_MAX, callPeer } from './http.ts';
import {
  type Entry,
  type Position,
  type Refusal,
  type ReplicateResponse,
  type View,
  type WriteRequest,
  type WriteResponse,
  ReplicateResponse as ReplicateResponseSchema,
} from './protocol.ts';
import { sleep } from './sleep.ts';
import { type Store, isDiskError } from './store.ts';
import { catchUpPlan } from './core/shipments.ts';

export interface PrimaryLimits {
  /** Most requests in one replication round. */
  batchOpsMax: number;
  /** How long a backup has to answer one replication call. */
  replicationTimeoutMs: number;
  /** Most log entries shipped in one call while bringing a backup level. */
  shipEntriesMax: number;
}

/** What the primary needs from the rest of the replica. */
export interface PrimaryLink {
  readonly name: string;
  readonly secret: string;
  view(): View;
  url(name: string): string | undefined;
  /** Tells the view service a backup did not answer; resolves once it has decided. */
  reportUnreachable(epoch: number, backup: string): Promise<void>;
  /** A backup follows a newer view than ours: learn it now. */
  refreshView(): Promise<void>;
  /** The minimum cluster size for writes, as the view service says. */
  minReplicas(): number;
  /** The highest seq known to be committed when this replica became primary. */
  knownCommittedSeq(): number;
  /** The disk refused a write: this replica must leave the view (it steps down). */
  diskFailed(error: unknown): void;
  /** A backup holds writes committed up to `seq` that we lack: we must not lead (it steps down). */
  lacksCommitted(seq: number): void;
  /** New entries are committed (the change feed wakes up), by a round that took `roundSeconds` if any. */
  committed(roundSeconds?: number): void;
}

interface Pending {
  request: WriteRequest;
  resolve: (response: WriteResponse) => void;
}

export class RoundFailed extends Error {}


export class Primary {
  private readonly queue: Pending[] = [];
  private readonly inflight = new Map<string, Promise<WriteResponse>>();
  private lock: Promise<void> = Promise.resolve();
  /** A round is being drained (the queue has a worker). */
  private draining = false;
  private state: PrimaryState = 'LEVELLING';
  /** The commit point shipped with every call, so backups never give up what was acknowledged. */
  private committedSeq: number;

  constructor(
    private readonly store: Store,
    private readonly link: PrimaryLink,
    private readonly limits: PrimaryLimits,
    private readonly log: Logger,
  ) {
    this.committedSeq = link.knownCommittedSeq();
  }

  /** Becomes primary of the view: first brings every backup level at the new epoch. */
  async start(): Promise<void> {
    await this.exclusive(async () => {
      await this.levelAll(this.store.head, []);
      this.commitLevelled();
    });
    if (this.state === 'STOPPED') return;
    this.moveTo('READY');
    this.log.info({ epoch: this.link.view().epoch, position: this.store.head }, 'primary ready');
    this.link.committed();
    this.kick();
  }

  /** Stops taking writes: queued requests are refused so the router retries elsewhere. */
  stop(): void {
    if (this.state !== 'STOPPED') this.moveTo('STOPPED');
    for (const pending of this.queue.splice(0)) pending.resolve(refused('NOT_PRIMARY', 'this replica is no longer the primary'));
  }

  private moveTo(next: PrimaryState): void {
    if (!PRIMARY_MOVES[this.state].includes(next)) fatal(this.log, `primary state ${this.state} cannot become ${next}`);
    this.state = next;
  }

  /** Levelling or ready: not yet deposed. */
  get isLeading(): boolean {
    return this.state !== 'STOPPED';
  }

  get isReady(): boolean {
    return this.state === 'READY';
  }

  submit(request: WriteRequest): Promise<WriteResponse> {
    const view = this.link.view();
    if (request.epoch !== view.epoch) return Promise.resolve(refused('STALE_EPOCH', `epoch ${request.epoch} is not ${view.epoch}`));
    if (this.state !== 'READY') return Promise.resolve(refused('NOT_READY', 'the primary is bringing its backups level'));
    const running = this.inflight.get(request.requestId);
    if (running) return running;
    const done = this.store.committed.dedupedResult(request.requestId);
    if (done !== null) return Promise.resolve({ ok: true, outcome: { ok: true, value: JSON.parse(done) } });
    if (1 + view.backups.length < this.link.minReplicas()) {
      return Promise.resolve(refused('NOT_READY', `the view has ${1 + view.backups.length} of ${this.link.minReplicas()} replicas`));
    }
    const answer = new Promise<WriteResponse>((resolve) => this.queue.push({ request, resolve }));
    this.inflight.set(request.requestId, answer);
    void answer.then(() => this.inflight.delete(request.requestId));
    this.kick();
    return answer;
  }

  /**
   * Runs `work` with no replication round in flight (joins use it so a new
   * backup enters the view exactly level).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lock.then(work);
    this.lock = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /**
   * Adds a caught-up replica to the view: with no round in flight it is
   * brought exactly level, the view service installs the bigger view, and
   * every backup adopts its epoch before writes go on.
   */
  admit(backup: string, install: (epoch: number, backup: string) => Promise<View>): Promise<View> {
    return this.exclusive(async () => {
      const view = this.link.view();
      if (view.backups.includes(backup)) return view;
      if (this.state === 'STOPPED' || view.primary !== this.link.name) throw new RoundFailed('no longer the primary');
      await this.level(backup, view.epoch, this.store.head, []);
      let next: View;
      try {
        next = await install(view.epoch, backup);
      } catch (error) {
        if (!(error instanceof PeerError) || error.kind !== 'timeout') throw error;
        // Unknown outcome: the view service may still add it. Nothing commits (we hold the lock) until we know.
        next = await this.learnJoinOutcome(backup);
        if (!next.backups.includes(backup)) throw new RoundFailed(`${backup} was not added`);
      }
      await this.levelAll(this.store.head, []);
      this.commitLevelled();
      this.log.info({ backup, epoch: next.epoch }, 'backup joined');
      return next;
    });
  }

  /** After an add-backup call timed out: ask for the view until the view service answers, and say what it is. */
  private async learnJoinOutcome(backup: string): Promise<View> {
    for (let attempt = 1; this.state !== 'STOPPED'; attempt++) {
      try {
        await this.link.refreshView();
        return this.link.view();
      } catch (error) {
        this.log.warn({ backup, err: String(error) }, 'the view service has not said whether it added the backup; asking again');
        await sleep(Math.min(500, 20 * attempt));
      }
    }
    throw new RoundFailed('no longer the primary');
  }

  /** Brings every backup of the current view to our head, under the view's epoch. */
  async levelAll(after: Position, entries: Entry[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const view = this.link.view();
      if (this.state === 'STOPPED' || view.primary !== this.link.name) throw new RoundFailed('no longer the primary');
      const results = await Promise.allSettled(view.backups.map((backup) => this.level(backup, view.epoch, after, entries)));
      const failed = view.backups.filter((_, i) => results[i]?.status === 'rejected');
      if (failed.length === 0 && this.link.view().epoch === view.epoch) return;
      for (const [i, result] of results.entries()) {
        if (result.status !== 'rejected') continue;
        const backup = view.backups[i] ?? '?';
        if (result.reason instanceof StaleEpoch) {
          // Unreachable view service: keep levelling (and asking) rather than stay a primary that is never ready.
          await this.link.refreshView().catch((error: unknown) => this.log.warn({ err: String(error) }, 'could not learn the newer view; trying again'));
        } else {
          this.log.warn({ backup, err: String(result.reason) }, 'backup did not answer; reporting it');
          await this.link.reportUnreachable(view.epoch, backup);
        }
      }
      if (attempt > 0) await sleep(Math.min(500, 10 * attempt));
    }
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drain().finally(() => {
      this.draining = false;
      if (this.queue.length > 0 && this.state === 'READY') this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.state === 'READY') {
      // Let requests already on their way join this round (group commit even
      // when there is no backup to wait for).
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.state !== 'READY' || this.queue.length === 0) break;
      const batch = this.queue.splice(0, this.limits.batchOpsMax);
      await this.exclusive(() => this.round(batch));
    }
  }

  private async round(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const epoch = this.link.view().epoch;
    const after = this.store.head;
    const now = new Date();
    const answers: WriteResponse[] = [];
    const entries: Entry[] = [];
    // Another transaction open (a snapshot still installing): this round must not join or roll it back.
    if (this.store.inTransaction) {
      for (const pending of batch) pending.resolve(refused('ROUND_FAILED', 'the store is busy installing a snapshot'));
      return;
    }
    this.store.begin();
    try {
      let bytes = 0;
      for (const [i, { request }] of batch.entries()) {
        const before = entries.length;
        answers.push(this.run(request, epoch, now, entries));
        if (entries.length > before) bytes += entries.at(-1)?.effect.length ?? 0;
        // The round's shipment must fit a peer's body limit: the rest waits for the next round.
        if (bytes > SHIP_BYTES_MAX / 2 && i + 1 < batch.length) {
          this.queue.unshift(...batch.splice(i + 1));
          break;
        }
      }
      // What ships must follow our head and chain (checked once per round, whatever the number of backups);
      // paired with each backup's check on receipt (store.applyShipped).
      assertChained(after, entries);
      if (entries.length > 0) await this.levelAll(after, entries);
      // Checked with nothing awaited before the commit: a view below its minimum size commits nothing, so
      // the members of the last view that could take writes hold every committed write.
      if (entries.length > 0 && !this.viewCanCommit()) throw new RoundFailed('the view is below its minimum size');
      if (entries.length > 0) this.store.noteCommitted(this.store.head.seq);
      this.store.commit();
      this.committedSeq = this.store.head.seq;
      if (entries.length > 0) {
        this.link.committed((performance.now() - started) / 1000);
        this.log.debug({ requestIds: entries.map((e) => e.requestId), seqs: [entries[0]?.seq, entries.at(-1)?.seq] }, 'round committed');
      }
    } catch (error) {
      fatalIfBroken(this.log, error);
      this.store.rollback();
      const message = error instanceof RoundFailed ? error.message : String(error);
      if (!(error instanceof RoundFailed)) this.log.error({ err: message }, 'replication round failed');
      // Answered first, so the router sends them to the next primary; then this one steps down.
      for (const pending of batch) pending.resolve(refused('ROUND_FAILED', message));
      if (isDiskError(error)) this.link.diskFailed(error);
      return;
    }
    batch.forEach((pending, i) => pending.resolve(answers[i] ?? refused('INTERNAL', 'no answer')));
  }

  private viewCanCommit(): boolean {
    const view = this.link.view();
    return view.primary === this.link.name && 1 + view.backups.length >= this.link.minReplicas();
  }

  /**
   * Every backup of a view that can take writes now holds our whole log: it
   * is committed. (In a smaller view nothing is, until enough backups join.)
   */
  private commitLevelled(): void {
    if (this.state === 'STOPPED' || !this.viewCanCommit()) return;
    try {
      this.store.noteCommitted(this.store.head.seq);
    } catch (error) {
      if (!isDiskError(error)) throw error;
      this.link.diskFailed(error);
      throw new RoundFailed('the disk refused a write');
    }
    this.committedSeq = Math.max(this.committedSeq, this.store.head.seq);
  }

  /** One request inside the round's transaction, behind a savepoint so a bug in one cannot spoil the batch. */
  private run(request: WriteRequest, epoch: number, now: Date, entries: Entry[]): WriteResponse {
    const done = this.store.dedupedResult(request.requestId);
    if (done !== null) return { ok: true, outcome: { ok: true, value: JSON.parse(done) } };
    this.store.savepoint();
    try {
      const { outcome, effect } = execute(request.command, this.store, now);
      if (effect) {
        const entry = this.store.append(epoch, request.requestId, effect);
        // An effect no shipment could carry must never be committed: no backup could ever have it.
        if (entry.effect.length > SHIP_BYTES_MAX) {
          this.store.rollbackToSavepoint();
          return refused('INVALID_REQUEST', `the change is ${entry.effect.length} bytes; at most ${SHIP_BYTES_MAX} can be replicated at once`);
        }
        entries.push(entry);
      }
      this.store.release();
      return { ok: true, outcome: outcome satisfies Outcome<unknown> };
    } catch (error) {
      // A full or failing disk fails the whole round (it is retried on another primary), not this request.
      if (isDiskError(error)) throw error;
      fatalIfBroken(this.log, error);
      this.store.rollbackToSavepoint();
      this.log.error({ requestId: request.requestId, err: String(error) }, 'command failed');
      return refused('INTERNAL', 'the request could not be processed');
    }
  }

  /** Ships to one backup until it holds exactly our head: the entries, or what it lacks, or a snapshot. */
  private async level(backup: string, epoch: number, after: Position, entries: Entry[]): Promise<void> {
    const url = this.link.url(backup);
    if (!url) throw new PeerError(`no address for ${backup}`, 'unreachable');
    let response = await this.ship(url, epoch, after, entries);
    for (let hops = 0; !response.ok; hops++) {
      if (response.code === 'STALE_EPOCH') throw new StaleEpoch(`${backup} follows epoch ${response.epoch}`);
      if (hops > 1_000_000) throw new RoundFailed('backup never became level');
      if (this.state === 'STOPPED') throw new RoundFailed('no longer the primary');
      if (response.code === 'BEHIND') {
        // Named primary from a stale view (a view service still learning after a restart, say): step down, never overwrite.
        this.log.error({ backup, epoch, head: this.store.head.seq, committedSeq: response.committedSeq }, 'a backup holds committed writes this primary lacks: stepping down');
        this.link.lacksCommitted(response.committedSeq ?? this.store.head.seq + 1);
        throw new RoundFailed('this primary lacks committed writes');
      }
      const from = response.position;
      if (catchUpPlan(this.store, from) === 'entries') {
        const missing = this.store.entriesAfter(from.seq, this.limits.shipEntriesMax, SHIP_BYTES_MAX);
        assertChained(from, missing);
        response = await this.ship(url, epoch, from, missing);
      } else {
        this.log.info({ backup, position: from, code: response.code }, 'sending a snapshot');
        response = await this.sendSnapshot(url, epoch);
      }
    }
  }

  private ship(url: string, epoch: number, after: Position, entries: Entry[]): Promise<ReplicateResponse> {
    return callPeer(url, '/replicate', { epoch, primary: this.link.name, after, entries, committedSeq: this.committedSeq }, {
      secret: this.link.secret,
      timeoutMs: this.limits.replicationTimeoutMs,
      response: ReplicateResponseSchema,
    });
  }

  /** The backup pulls our snapshot stream (any size, in chunks) and answers once it has installed it. */
  private async sendSnapshot(url: string, epoch: number): Promise<ReplicateResponse> {
    const installed = await callPeer(url, '/snapshot', { epoch, primary: this.link.name }, {
      secret: this.link.secret,
      timeoutMs: SNAPSHOT_INSTALL_MS_MAX,
      response: ReplicateResponseSchema,
    });
    if (!installed.ok) return installed;
    // Then an empty ship confirms it is level (or what it still lacks).
    return this.ship(url, epoch, this.store.head, []);
  }
}

class StaleEpoch extends Error {}

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

export function refused(refusal: Refusal, message: string): WriteResponse {
  return { ok: false, refusal, message };
}
