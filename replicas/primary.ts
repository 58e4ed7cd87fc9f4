// The primary's adapter: runs the protocol core (replicas/core/primary.ts)
// with the real world around it. Requests from HTTP become inputs; the core's
// shipments become calls to the backups and their answers inputs again; the
// round runs the business rules in one open SQLite transaction; a timer gives
// the core the time. Every decision is the core's.
import type { Logger } from 'pino';
import { execute } from './domain/commands.ts';
import type { Outcome } from './domain/types.ts';
import { fatal, fatalIfBroken } from './fatal.ts';
import { assertChained } from './hash-chain.ts';
import { SHIP_BYTES_MAX, SNAPSHOT_INSTALL_MS_MAX, callPeer, describe } from './http.ts';
import { type Command, type Entry, type Position, type ReplicateResponse, type View, type WriteRequest, type WriteResponse, ReplicateResponse as ReplicateResponseSchema } from './protocol.ts';
import { type Store, isDiskError } from './store.ts';
import { type Answer, PrimaryCore, type PrimarySink, type PrimaryStore, refusal as refused } from './core/primary.ts';

export interface PrimaryLimits {
  /** Most requests in one replication round. */
  batchOpsMax: number;
  /** How long a backup has to answer one replication call. */
  replicationTimeoutMs: number;
  /** Most log entries shipped in one call while bringing a backup level. */
  shipEntriesMax: number;
  /** How often to ask the view service again while a backup says there is a newer view. */
  heartbeatMs: number;
}

/** What the primary needs from the rest of the replica. */
export interface PrimaryLink {
  readonly name: string;
  readonly secret: string;
  url(name: string): string | undefined;
  /** Tells the view service a backup did not answer (its answer reaches us through viewHeard). */
  report(epoch: number, backup: string): void;
  /** Asks the view service for the view (its answer reaches us through viewHeard). */
  refreshView(): void;
  /** Asks the view service to add a level joiner: the view it answers with (asked again until it does), or null once we no longer lead. */
  addBackup(epoch: number, backup: string): Promise<View | null>;
  /** The disk refused a write: this replica must leave the view (it steps down). */
  diskFailed(error: unknown): void;
  /** A backup holds writes committed up to `seq` that we lack: we must not lead (it steps down). */
  lacksCommitted(seq: number): void;
  /** New entries are committed (the change feed wakes up), by a round that took `roundSeconds` if any. */
  committed(roundSeconds?: number): void;
}

/** Why a join was refused (the joiner is told, and asks again). */
class RoundFailed extends Error {}

/** How often the core is given the time (timeouts, retries, a join with no answer). */
const TICK_MS = 20;

export class Primary {
  private readonly core: PrimaryCore<Command, Entry, Outcome<unknown>>;
  private readonly waiting = new Map<string, ((response: WriteResponse) => void)[]>();
  private readonly joins = new Map<string, { resolve: (view: View) => void; reject: (error: Error) => void }[]>();
  private readonly timer: NodeJS.Timeout;
  private pumpQueued = false;
  private readonly rounds: SqliteRounds;

  constructor(
    store: Store,
    private readonly link: PrimaryLink,
    private readonly limits: PrimaryLimits,
    private readonly log: Logger,
    start: { view: View; minReplicas: number; committedSeq: number },
  ) {
    this.rounds = new SqliteRounds(store, log);
    this.core = new PrimaryCore(link.name, this.rounds, this.sink(), {
      batchOpsMax: limits.batchOpsMax,
      shipEntriesMax: limits.shipEntriesMax,
      shipBytesMax: SHIP_BYTES_MAX,
      replicationTimeoutMs: limits.replicationTimeoutMs,
      // The backup's call has its own deadline (it streams the snapshot); the core's is a little longer.
      snapshotTimeoutMs: SNAPSHOT_INSTALL_MS_MAX + limits.replicationTimeoutMs,
      // Never given up here: link.addBackup always answers (it asks for the view until the view service
      // answers), and a join given up while the view service might still add the backup could let it in lacking a commit.
      joinAnswerMs: Number.POSITIVE_INFINITY,
      refreshMs: limits.heartbeatMs,
    }, start);
    this.timer = setInterval(() => this.input((now) => this.core.tick(now)), TICK_MS);
    this.timer.unref();
  }

  /** Becomes primary of the view: first brings every backup level at the new epoch. */
  start(): void {
    this.input((now) => this.core.start(now));
  }

  /** Stops taking writes: the open round rolls back, and it and queued requests are refused so the router retries elsewhere. */
  stop(why = 'deposed'): void {
    clearInterval(this.timer);
    this.input((now) => this.core.stop(now, why));
  }

  /** Levelling or ready: not yet deposed. */
  get isLeading(): boolean {
    return this.core.isLeading;
  }

  get isReady(): boolean {
    return this.core.isReady;
  }

  /** The view service's view, from any notice. */
  viewHeard(view: View, minReplicas: number): void {
    this.input((now) => this.core.viewHeard(now, view, minReplicas));
  }

  submit(request: WriteRequest): Promise<WriteResponse> {
    return new Promise((resolve) => {
      const answered = this.input(() => this.core.submit(request.requestId, request.epoch, request.command));
      if (answered) return resolve(answered as WriteResponse);
      const waiting = this.waiting.get(request.requestId) ?? [];
      waiting.push(resolve);
      this.waiting.set(request.requestId, waiting);
      // Let requests already on their way join this round (group commit even with no backup to wait for).
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        setImmediate(() => {
          this.pumpQueued = false;
          this.input((at) => this.core.pump(at));
        });
      }
    });
  }

  /** A caught-up replica asks to join: resolves with the view that includes it, or rejects saying why not. */
  join(backup: string): Promise<View> {
    return new Promise((resolve, reject) => {
      const waiting = this.joins.get(backup) ?? [];
      waiting.push({ resolve, reject });
      this.joins.set(backup, waiting);
      this.input((now) => this.core.join(now, backup));
    });
  }

  /** Runs one input of the core with the time. A core that throws has a bug: stop loudly. */
  private input<T>(step: (now: number) => T): T {
    try {
      return step(performance.now());
    } catch (error) {
      fatalIfBroken(this.log, error);
      fatal(this.log, `the primary's core failed: ${describe(error)}`);
    }
  }

  private sink(): PrimarySink<Entry, Outcome<unknown>> {
    return {
      ship: (to, round, shipment) => {
        const url = this.link.url(to);
        if (!url) return this.later((now) => this.core.shipFailed(now, to, round));
        this.reply(to, round, callPeer(url, '/replicate', { ...shipment, primary: this.link.name }, {
          secret: this.link.secret,
          timeoutMs: this.limits.replicationTimeoutMs,
          response: ReplicateResponseSchema,
        }));
      },
      sendSnapshot: (to, round, epoch) => {
        const url = this.link.url(to);
        if (!url) return this.later((now) => this.core.shipFailed(now, to, round));
        this.log.info({ backup: to }, 'sending a snapshot');
        // The backup pulls our snapshot stream (any size, in chunks) and answers once it has installed it.
        this.reply(to, round, callPeer(url, '/snapshot', { epoch, primary: this.link.name }, {
          secret: this.link.secret,
          timeoutMs: SNAPSHOT_INSTALL_MS_MAX,
          response: ReplicateResponseSchema,
        }));
      },
      answer: (requestId, answer) => {
        const waiting = this.waiting.get(requestId) ?? [];
        this.waiting.delete(requestId);
        for (const resolve of waiting) resolve(answer as WriteResponse);
      },
      report: (epoch, backup) => {
        this.log.warn({ backup, epoch }, 'backup did not answer; reporting it');
        this.link.report(epoch, backup);
      },
      refreshView: () => this.link.refreshView(),
      addBackup: (epoch, backup) => {
        void this.link.addBackup(epoch, backup).then(
          (view) => this.input((now) => this.core.joinAnswer(now, view)),
          () => this.input((now) => this.core.joinAnswer(now, null)),
        );
      },
      joined: (backup, view, why) => {
        const waiting = this.joins.get(backup) ?? [];
        this.joins.delete(backup);
        if (view) this.log.info({ backup, epoch: view.epoch }, 'backup joined');
        for (const { resolve, reject } of waiting) {
          if (view) resolve(view);
          else reject(new RoundFailed(why));
        }
      },
      ready: () => {
        this.log.info({ position: this.rounds.head }, 'primary ready');
        this.link.committed();
      },
      committed: (entries, ms) => {
        this.log.debug({ requestIds: entries.map((e) => e.requestId), seqs: [entries[0]?.seq, entries.at(-1)?.seq] }, 'round committed');
        this.link.committed(ms / 1000);
      },
      lacksCommitted: (seq) => {
        this.log.error({ committedSeq: seq }, 'a backup holds committed writes this primary lacks: stepping down');
        this.link.lacksCommitted(seq);
      },
      storeFailed: (error) => {
        if (isDiskError(error)) return this.link.diskFailed(error);
        if (error instanceof StoreBusy) return this.log.warn({ err: error.message }, 'round refused');
        this.log.error({ err: describe(error) }, 'replication round failed');
      },
    };
  }

  /** A call's answer (or failure) becomes an input of the core. */
  private reply(to: string, round: number, call: Promise<ReplicateResponse>): void {
    call.then(
      (response) => this.input((now) => this.core.shipReply(now, to, round, response)),
      (error: unknown) => {
        fatalIfBroken(this.log, error);
        this.log.debug({ backup: to, err: describe(error) }, 'shipment failed');
        this.input((now) => this.core.shipFailed(now, to, round));
      },
    );
  }

  /** An input on the next turn (never inside the core's own call). */
  private later(step: (now: number) => void): void {
    setImmediate(() => this.input(step));
  }
}

class StoreBusy extends Error {}

/** The store as the primary's core sees it: the round is one SQLite transaction, each command behind a savepoint. */
class SqliteRounds implements PrimaryStore<Command, Entry, Outcome<unknown>> {
  /** The round's transaction is ours (never roll back another: a snapshot installing, say). */
  private open = false;
  /** One clock reading per round: every command of a round sees the same time. */
  private now = new Date();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  get head(): Position {
    return this.store.head;
  }
  hashAt(seq: number): string | null {
    return this.store.hashAt(seq);
  }
  dedupedResult(requestId: string): { outcome: Outcome<unknown>; seq: number } | null {
    const done = this.store.dedupedResult(requestId);
    return done === null ? null : { outcome: { ok: true, value: JSON.parse(done.result) }, seq: done.seq };
  }
  entriesAfter(seq: number, max: number): Entry[] {
    return this.store.entriesAfter(seq, max, SHIP_BYTES_MAX);
  }
  begin(): void {
    // Another transaction open (a snapshot still installing): this round must not join or roll it back.
    if (this.store.inTransaction) throw new StoreBusy('the store is busy installing a snapshot');
    this.store.begin();
    this.open = true;
    this.now = new Date();
  }
  /** One request inside the round, behind a savepoint so a bug in one cannot spoil the batch. */
  run(requestId: string, command: Command, epoch: number): { answer: Answer<Outcome<unknown>>; entry: Entry | null } {
    this.store.savepoint();
    try {
      const { outcome, effect } = execute(command, this.store, this.now);
      let entry: Entry | null = null;
      if (effect) {
        entry = this.store.append(epoch, requestId, effect);
        // An effect no shipment could carry must never be committed: no backup could ever have it.
        if (entry.effect.length > SHIP_BYTES_MAX) {
          this.store.rollbackToSavepoint();
          return { answer: refused('INVALID_REQUEST', `the change is ${entry.effect.length} bytes; at most ${SHIP_BYTES_MAX} can be replicated at once`), entry: null };
        }
      }
      this.store.release();
      return { answer: { ok: true, outcome }, entry };
    } catch (error) {
      // A full or failing disk fails the whole round (it is retried on another primary), not this request.
      if (isDiskError(error)) throw error;
      fatalIfBroken(this.log, error);
      this.store.rollbackToSavepoint();
      this.log.error({ requestId, err: String(error) }, 'command failed');
      return { answer: refused('INTERNAL', 'the request could not be processed'), entry: null };
    }
  }
  bytes(entry: Entry): number {
    return entry.effect.length;
  }
  assertChained(after: Position, entries: readonly Entry[]): void {
    assertChained(after, entries);
  }
  commit(committedSeq: number): void {
    this.store.noteCommitted(committedSeq);
    this.store.commit();
    this.open = false;
  }
  rollback(): void {
    if (this.open) this.store.rollback();
    this.open = false;
  }
  noteCommitted(seq: number): void {
    this.store.noteCommitted(seq);
  }
}

/** A refusal as the write path answers it (the core's). */
export { refusal as refused } from './core/primary.ts';
