// One replica process: a small state machine (CATCHING_UP -> BACKUP ->
// PRIMARY) driven by the views the view service publishes, with the HTTP
// endpoints the gateway and the other replicas call.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { catchUpAndJoin } from './catch-up.ts';
import { CommitSignal } from './commit-signal.ts';
import { ReplicaMetrics } from './metrics.ts';
import { HttpError, SNAPSHOT_INSTALL_MS_MAX, callPeer, describe, guarded, readJson, secretMatches, sendJson, sendLines, streamPeer } from './http.ts';
import { Primary, type PrimaryLink, refused } from './primary.ts';
import { sleep } from './sleep.ts';
import {
  CatchUpRequest,
  type CatchUpResponse,
  FeedRequest,
  type FeedResponse,
  InstallSnapshotRequest,
  SnapshotChunk,
  SnapshotStreamRequest,
  JoinRequest,
  ReadRequest,
  ReplicateRequest,
  type Position,
  type ReplicateResponse,
  type Role,
  type StatusResponse,
  type View,
  ViewNotice,
  WriteBatchRequest,
  WriteRequest,
  type WriteResponse,
} from './protocol.ts';
import { executeRead } from './reads.ts';
import { Store, isDiskError } from './store.ts';
import { fatal, fatalIfBroken } from './fatal.ts';
import { catchUpPlan, epochVerdict, snapshotLosesCommitted } from './core/shipments.ts';
import { NO_VIEW } from './core/views.ts';
import { legalRoleMove, wantedRole } from './core/roles.ts';

/** Heartbeat periods after which a beat that has not been answered, or store work that holds the next one back, is logged. */
const SLOW_BEAT_PERIODS = 3;

export interface ReplicaConfig {
  name: string;
  host: string;
  port: number;
  gatewayUrl: string;
  dataDir: string;
  secret: string;
  heartbeatMs: number;
  replicationTimeoutMs: number;
  batchOpsMax: number;
  shipEntriesMax: number;
  joinLagMax: number;
  logEntriesMax: number;
  dedupeEntriesMax: number;
  log: Logger;
}

export interface RunningReplica {
  url: string;
  close(): Promise<void>;
}


export async function startReplica(config: ReplicaConfig): Promise<RunningReplica> {
  const store = Store.open(join(config.dataDir, 'replicas', `${config.name}.db`));
  const replica = new Replica(config, store);
  const server = createServer(guarded((req, res) => replica.handle(req, res), (error) => {
    fatalIfBroken(config.log, error);
    config.log.error({ err: describe(error) }, 'request failed');
  }));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  replica.begin(url);
  config.log.info({ url, position: store.head }, 'replica listening');
  return {
    url,
    close: async () => {
      replica.close();
      await closeServer(server);
      store.close();
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

class Replica {
  private role: Role = 'CATCHING_UP';
  private notice: ViewNotice;
  private fencedEpoch: number;
  private primary: Primary | null = null;
  private readonly incarnation = randomUUID();
  private url = '';
  private closed = false;
  private catchingUp = false;
  /** The catch-up under way and the primary it pulls from: cut short when the view names another. */
  private pulling: { from: string | null; abort: AbortController } | null = null;
  /** A snapshot is arriving: the store is half replaced until it ends (this replica must not lead meanwhile). */
  private installing = false;
  /** A commit point a backup told us of (BEHIND): kept in memory, as the view service's floor is. */
  private heardCommittedSeq = 0;
  /** Logged once per stretch of being named primary while lacking committed writes. */
  private unfitLogged = false;
  /** Why the disk refused the last write, while it does; null when it takes writes. */
  private diskProblem: string | null = null;
  private readonly log: Logger;
  private readonly commits = new CommitSignal();
  private readonly rounds = { count: 0, seconds: 0 };
  private readonly metrics = new ReplicaMetrics(() => {
    const { role, view, position } = this.status();
    return { role, epoch: view.epoch, position };
  });

  constructor(
    private readonly config: ReplicaConfig,
    private readonly store: Store,
  ) {
    this.log = config.log;
    const view = store.savedView() ?? NO_VIEW;
    this.notice = { view, urls: {}, minReplicas: 2, committedSeq: store.knownCommittedSeq(), stores: {} };
    this.fencedEpoch = Math.max(view.epoch, Number(store.meta('fencedEpoch') ?? 0));
  }

  begin(url: string): void {
    this.url = url;
    void this.heartbeatLoop();
  }

  close(): void {
    this.closed = true;
    this.primary?.stop();
    this.commits.notify();
  }

  // ---- the state machine ------------------------------------------------------

  private onNotice(notice: ViewNotice): void {
    const current = this.notice.view;
    if (notice.view.epoch < current.epoch) return;
    let diskError: unknown = null;
    if (notice.view.epoch > current.epoch) {
      this.log.info({ view: notice.view }, 'new view');
      try {
        this.fence(notice.view.epoch);
        this.store.setMetaOutsideRound('view', JSON.stringify(notice.view));
      } catch (error) {
        // The view is adopted all the same (the fence holds in memory); the disk's failure takes us out of it.
        if (!isDiskError(error)) throw error;
        diskError = error;
      }
    }
    this.notice = notice;
    if (diskError !== null) this.diskFailed(diskError);
    else this.reconcile();
    this.primary?.viewHeard(notice.view, notice.minReplicas);
    if (this.pulling && this.pulling.from !== notice.view.primary) this.pulling.abort.abort();
  }

  private reconcile(): void {
    const { view } = this.notice;
    const { role: wanted, unfit } = wantedRole({
      name: this.config.name,
      view,
      canWrite: this.diskProblem === null,
      installingSnapshot: this.installing,
      headSeq: this.store.head.seq,
      knownCommittedSeq: this.knownCommittedSeq(),
      storeId: this.store.storeId,
      recordedStore: this.notice.stores[this.config.name],
    });
    if (unfit && !this.unfitLogged) this.log.warn({ head: this.store.head.seq, committedSeq: this.knownCommittedSeq(), epoch: view.epoch }, 'named primary but lacking committed writes: not leading');
    this.unfitLogged = unfit;
    if (this.closed) return;
    if (wanted !== this.role) this.moveTo(wanted, `view ${view.epoch}`);
    if (this.role === 'CATCHING_UP' && this.diskProblem === null) void this.catchUpLoop();
  }

  /** The one place a role changes (replicas/core/roles.ts says which moves are legal). A primary always steps down on the way out. */
  private moveTo(next: Role, why: string): void {
    const from = this.role;
    if (!legalRoleMove(from, next)) fatal(this.log, `role ${from} cannot become ${next} (${why})`);
    this.log.info({ from, to: next, why }, 'role change');
    if (from === 'PRIMARY') this.stepDown();
    this.role = next;
    if (next === 'PRIMARY') this.becomePrimary();
  }

  /**
   * The disk refused a write (full, or failing): step out of the view at once
   * (a primary stops committing, a backup stops acknowledging) and say so in
   * every heartbeat, until `probeDisk` shows it takes writes again. What was
   * committed before is intact: SQLite rolled the failed write back.
   */
  private diskFailed(error: unknown): void {
    if (this.diskProblem === null) this.log.error({ err: describe(error), role: this.role }, 'cannot write to the disk: leaving the view until it can');
    this.diskProblem = describe(error);
    this.reconcile();
    this.heartbeat().catch(() => undefined);
  }

  /** While the disk is failing: is there room again? Then rejoin (catch up, then join as a backup). */
  private probeDisk(): void {
    if (this.diskProblem === null) return;
    try {
      this.store.probeDisk();
    } catch (error) {
      if (!isDiskError(error)) throw error;
      return;
    }
    this.log.info({ was: this.diskProblem }, 'the disk takes writes again: rejoining');
    this.diskProblem = null;
    this.reconcile();
  }

  /** Runs store work on behalf of a loop or a request; a disk failure takes this replica out of the view (and answers 503). */
  private storeWork<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw this.asRefusal(error);
    }
  }

  /** storeWork for work that awaits (a snapshot arriving chunk by chunk). */
  private async storeWorkAsync<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.asRefusal(error);
    }
  }

  /** A disk error becomes this replica leaving the view and a 503 for the caller; anything else is passed on as it is. */
  private asRefusal(error: unknown): unknown {
    if (!isDiskError(error)) return error;
    this.diskFailed(error);
    return this.cannotWrite();
  }

  private cannotWrite(): HttpError {
    return new HttpError(503, `${this.config.name} cannot write to its disk`);
  }

  private becomePrimary(): void {
    const { view, minReplicas } = this.notice;
    const primary = new Primary(this.store, this.primaryLink(), {
      batchOpsMax: this.config.batchOpsMax,
      replicationTimeoutMs: this.config.replicationTimeoutMs,
      shipEntriesMax: this.config.shipEntriesMax,
      heartbeatMs: this.config.heartbeatMs,
    }, this.log, { view, minReplicas, committedSeq: this.knownCommittedSeq() });
    this.primary = primary;
    primary.start();
  }

  /** The round in flight (if any) rolls back at once, before anything else touches the store. */
  private stepDown(): void {
    const primary = this.primary;
    this.primary = null;
    primary?.stop();
  }

  /** Refuses shipments from older epochs from now on (in memory first, then on disk). */
  private fence(epoch: number): void {
    if (epoch <= this.fencedEpoch) return;
    this.fencedEpoch = epoch;
    this.store.setMetaOutsideRound('fencedEpoch', String(epoch));
  }

  private primaryLink(): PrimaryLink {
    return {
      name: this.config.name,
      secret: this.config.secret,
      url: (name: string) => this.notice.urls[name],
      refreshView: () => {
        this.heartbeat().catch((error: unknown) => this.log.warn({ err: describe(error) }, 'could not learn the newer view; asking again'));
      },
      diskFailed: (error: unknown) => this.diskFailed(error),
      lacksCommitted: (seq: number) => this.lacksCommitted(seq),
      committed: (roundSeconds?: number) => {
        if (roundSeconds !== undefined) {
          this.rounds.count++;
          this.rounds.seconds += roundSeconds;
          this.metrics.roundSeconds.observe(roundSeconds);
        }
        this.commits.notify();
      },
      report: (epoch: number, backup: string) => {
        this.callGateway('/cluster/report', { epoch, reporter: this.config.name, unreachable: backup }).then(
          (notice) => this.onNotice(notice),
          (error: unknown) => this.log.warn({ err: describe(error) }, 'could not report to the view service'),
        );
      },
      addBackup: async (epoch: number, backup: string) => {
        try {
          const notice = await this.callGateway('/cluster/add-backup', { epoch, primary: this.config.name, backup });
          this.onNotice(notice);
          return notice.view;
        } catch (error) {
          this.log.warn({ backup, err: describe(error) }, 'the view service has not said whether it added the backup; asking for the view');
          return this.learnView();
        }
      },
    };
  }

  /**
   * The view as the view service has it now, asked until it answers (null if
   * we stop leading first): after an add-backup call with no answer, it says
   * whether the backup was added. Commits wait meanwhile (a join blocks them).
   */
  private async learnView(): Promise<View | null> {
    const primary = this.primary;
    for (let attempt = 1; this.primary === primary && primary?.isLeading && !this.closed; attempt++) {
      try {
        await this.heartbeat();
        return this.notice.view;
      } catch {
        await sleep(Math.min(500, 20 * attempt));
      }
    }
    return null;
  }

  // ---- loops --------------------------------------------------------------------

  private async heartbeatLoop(): Promise<void> {
    let beats = 0;
    let failures = 0;
    while (!this.closed) {
      const sent = performance.now();
      try {
        await this.heartbeat();
        failures = 0;
      } catch (error) {
        if (failures++ % 50 === 0) this.log.warn({ err: describe(error) }, 'view service unreachable');
      }
      // Closed while the heartbeat was out: the store may be closed too, and its work is no longer ours to do.
      if (this.closed) break;
      // A beat that takes several periods to be answered is what gets a live replica suspected: say so, for whoever
      // reads why a view changed ("dropping backups from the view" in the gateway's log).
      const tookMs = performance.now() - sent;
      if (tookMs > this.config.heartbeatMs * SLOW_BEAT_PERIODS) this.log.warn({ tookMs: Math.round(tookMs) }, 'a heartbeat was slow to be answered');
      const workStarted = performance.now();
      try {
        if (this.diskProblem !== null) {
          if (beats++ % 10 === 0) this.probeDisk();
        } else if (++beats % 100 === 0 && !this.store.inTransaction) {
          this.storeWork(() => this.store.trim(this.config.logEntriesMax, this.config.dedupeEntriesMax));
        } else if (beats % 5 === 0) {
          this.storeWork(() => this.store.checkpoint());
        }
      } catch (error) {
        // A disk failure was handled (storeWork); anything else in this loop is a bug: stop loudly, not as an unhandled rejection.
        if (!(error instanceof HttpError)) fatal(this.log, `the heartbeat loop's store work failed: ${describe(error)}`);
      }
      const workMs = performance.now() - workStarted;
      if (workMs > this.config.heartbeatMs * SLOW_BEAT_PERIODS) this.log.warn({ workMs: Math.round(workMs) }, 'store work held the next heartbeat back');
      await sleep(this.config.heartbeatMs);
    }
  }

  private async heartbeat(): Promise<void> {
    const position = this.role === 'PRIMARY' ? this.store.committed.position() : this.store.head;
    const beat = {
      name: this.config.name, url: this.url, incarnation: this.incarnation, storeId: this.store.storeId, committedSeq: this.knownCommittedSeq(),
      canWrite: this.diskProblem === null, role: this.role, view: this.notice.view, position, rounds: this.rounds,
    };
    this.onNotice(await this.callGateway('/cluster/heartbeat', beat));
  }

  private callGateway(path: string, body: unknown): Promise<ViewNotice> {
    return callPeer(this.config.gatewayUrl, path, body, {
      secret: this.config.secret,
      timeoutMs: Math.max(1000, this.config.heartbeatMs * 5),
      response: ViewNotice,
    });
  }

  private async catchUpLoop(): Promise<void> {
    if (this.catchingUp) return;
    this.catchingUp = true;
    try {
      while (this.role === 'CATCHING_UP' && this.diskProblem === null && !this.closed) {
        const catchUp = { from: this.notice.view.primary, abort: new AbortController() };
        this.pulling = catchUp;
        try {
          const joined = await catchUpAndJoin(this.store, {
            name: this.config.name,
            secret: this.config.secret,
            primaryUrl: () => (this.notice.view.primary ? this.notice.urls[this.notice.view.primary] ?? null : null),
            stillCatchingUp: () => this.role === 'CATCHING_UP' && !this.closed,
            pullSnapshot: (url) => this.pullSnapshot(url),
          }, { joinLagMax: this.config.joinLagMax, timeoutMs: this.config.replicationTimeoutMs * 10, signal: catchUp.abort.signal });
          if (joined) await this.heartbeat();
          else await sleep(this.config.heartbeatMs);
        } catch (error) {
          if (isDiskError(error)) {
            this.diskFailed(error);
            return;
          }
          fatalIfBroken(this.log, error);
          // Cut short because the view names another primary: catch up from that one at once.
          if (catchUp.abort.signal.aborted) continue;
          this.log.info({ err: describe(error) }, 'catching up failed; trying again');
          await sleep(this.config.heartbeatMs * 2);
        } finally {
          if (this.pulling === catchUp) this.pulling = null;
        }
      }
    } finally {
      this.catchingUp = false;
    }
  }

  // ---- HTTP ---------------------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path === '/metrics' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(await this.metrics.registry.metrics());
      return;
    }
    if (!secretMatches(req, this.config.secret)) throw new HttpError(401, 'the cluster secret is missing or wrong');
    if (req.method === 'GET') {
      if (path === '/status') return sendJson(res, 200, this.status());
      if (path === '/state-hash') return sendJson(res, 200, this.stateHash());
      throw new HttpError(404, 'not found');
    }
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    switch (path) {
      case '/write-batch': {
        // Each request is parsed on its own: a malformed one gets its own refusal and the others go on.
        const { requests } = await readJson(req, WriteBatchRequest);
        const answers = requests.map((item) => {
          const request = WriteRequest.safeParse(item);
          if (request.success) return this.write(request.data);
          const problems = request.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`);
          return Promise.resolve({ ok: false, refusal: 'INVALID_REQUEST', message: problems.join('; ').slice(0, 500) } satisfies WriteResponse);
        });
        return sendJson(res, 200, { answers: await Promise.all(answers) });
      }
      case '/read':
        return sendJson(res, 200, this.read(await readJson(req, ReadRequest)));
      case '/replicate': {
        const request = await readJson(req, ReplicateRequest);
        return sendJson(res, 200, this.storeWork(() => this.replicate(request)));
      }
      case '/snapshot': {
        const request = await readJson(req, InstallSnapshotRequest);
        return sendJson(res, 200, await this.storeWorkAsync(() => this.installSnapshot(request)));
      }
      case '/snapshot-stream': {
        const request = await readJson(req, SnapshotStreamRequest);
        // Served while levelling too: a new primary brings backups level (by snapshot if need be) before it is ready.
        if (this.role !== 'PRIMARY' || !this.primary?.isLeading) throw new HttpError(503, `${this.config.name} is not the primary`);
        this.log.info({ to: request.name }, 'sending a snapshot');
        return sendLines(res, this.store.snapshotChunks(), { idleMs: this.config.replicationTimeoutMs * 10, totalMs: SNAPSHOT_INSTALL_MS_MAX });
      }
      case '/catchup':
        return sendJson(res, 200, this.catchUp(await readJson(req, CatchUpRequest)));
      case '/feed':
        return sendJson(res, 200, await this.feed(await readJson(req, FeedRequest)));
      case '/join':
        return sendJson(res, 200, await this.join(await readJson(req, JoinRequest)));
      case '/view':
        this.onNotice(await readJson(req, ViewNotice));
        return sendJson(res, 200, { ok: true });
      default:
        throw new HttpError(404, 'not found');
    }
  }

  /** The highest seq this replica knows the cluster committed: its own store's record, or the view service's. */
  private knownCommittedSeq(): number {
    return Math.max(this.store.knownCommittedSeq(), this.notice.committedSeq, this.heardCommittedSeq);
  }

  /** A backup refused our snapshot: the cluster committed up to `seq`, beyond our head. Stop leading (reconcile sees it). */
  private lacksCommitted(seq: number): void {
    this.heardCommittedSeq = Math.max(this.heardCommittedSeq, seq);
    this.reconcile();
  }

  /** Taking state at `position` would give up writes known to be committed (a primary that lacks them). */
  private wouldLoseCommitted(position: Position): boolean {
    return snapshotLosesCommitted(position, this.knownCommittedSeq());
  }

  private status(): StatusResponse {
    const position = this.role === 'PRIMARY' ? this.store.committed.position() : this.store.head;
    return { name: this.config.name, incarnation: this.incarnation, role: this.role, view: this.notice.view, position };
  }

  private stateHash() {
    const committed = this.store.committed;
    return committed.consistent(() => ({ position: committed.position(), stateHash: committed.stateHash() }));
  }

  private readyPrimary(): Primary | null {
    return this.role === 'PRIMARY' && this.primary?.isReady ? this.primary : null;
  }

  private write(request: WriteRequest) {
    const primary = this.role === 'PRIMARY' ? this.primary : null;
    if (!primary) return Promise.resolve(refused('NOT_PRIMARY', `${this.config.name} is ${this.role}`));
    return primary.submit(request);
  }

  private read(request: ReadRequest) {
    if (!this.readyPrimary()) return refused('NOT_PRIMARY', `${this.config.name} is not a ready primary`);
    return { ok: true, value: executeRead(request, this.store.committed) };
  }

  private replicate(request: ReplicateRequest): ReplicateResponse {
    if (this.diskProblem !== null) throw this.cannotWrite();
    const refusal = this.refuseShipment(request.epoch);
    if (refusal) return refusal;
    const result = this.store.applyShipped(request.after, request.entries, request.committedSeq);
    if (result === 'ok') {
      if (request.entries.length > 0) this.log.debug({ requestIds: request.entries.map((e) => e.requestId), seq: this.store.head.seq }, 'applied');
      return { ok: true, position: this.store.head };
    }
    return { ok: false, code: result === 'gap' ? 'GAP' : 'DIVERGED', epoch: this.fencedEpoch, position: this.store.head };
  }

  /** The primary asks us to take its snapshot: we pull its stream and install it, chunk by chunk. */
  private async installSnapshot(request: InstallSnapshotRequest): Promise<ReplicateResponse> {
    if (this.diskProblem !== null) throw this.cannotWrite();
    const refusal = this.refuseShipment(request.epoch);
    if (refusal) return refusal;
    const url = this.notice.urls[request.primary];
    if (!url) throw new HttpError(503, `${this.config.name} does not know where ${request.primary} listens yet`);
    const installed = await this.pullSnapshot(url);
    if (installed === 'refused') return { ok: false, code: 'BEHIND', epoch: this.fencedEpoch, position: this.store.head, committedSeq: this.knownCommittedSeq() };
    return { ok: true, position: this.store.head };
  }

  /** Pulls a primary's snapshot stream and installs it; refused (nothing changed) when it lacks committed writes. */
  private async pullSnapshot(primaryUrl: string): Promise<Position | 'refused'> {
    if (this.installing) throw new HttpError(503, `${this.config.name} is already installing a snapshot`);
    this.installing = true;
    try {
      return await this.installFrom(primaryUrl);
    } finally {
      this.installing = false;
      this.reconcile();
    }
  }

  private async installFrom(primaryUrl: string): Promise<Position | 'refused'> {
    const chunks = streamPeer(primaryUrl, '/snapshot-stream', { name: this.config.name }, {
      secret: this.config.secret,
      idleTimeoutMs: this.config.replicationTimeoutMs * 10,
      line: SnapshotChunk,
    });
    const installed = await this.store.installSnapshotChunks(chunks, (position) => {
      const lacks = this.wouldLoseCommitted(position);
      if (lacks) this.log.error({ from: primaryUrl, snapshot: position, committedSeq: this.knownCommittedSeq() }, 'refused a snapshot that lacks committed writes');
      return !lacks;
    });
    if (installed !== 'refused') this.log.info({ position: installed }, 'installed a snapshot');
    return installed;
  }

  /** Only a primary of the newest epoch this replica has seen may ship to it. */
  private refuseShipment(epoch: number): ReplicateResponse | null {
    const verdict = epochVerdict(epoch, this.fencedEpoch, this.role, this.notice.view.epoch);
    if (verdict === 'stale') return { ok: false, code: 'STALE_EPOCH', epoch: this.fencedEpoch, position: this.store.head };
    this.fence(epoch);
    if (verdict === 'take-and-step-down') {
      // A newer primary exists: this one was deposed and has not heard yet.
      this.moveTo('CATCHING_UP', `a shipment of epoch ${epoch}`);
      void this.catchUpLoop();
    }
    if (this.store.inTransaction) throw new HttpError(503, 'a deposed round is still rolling back');
    return null;
  }

  private catchUp(request: CatchUpRequest): CatchUpResponse {
    if (!this.readyPrimary()) return { kind: 'refused', refusal: 'NOT_PRIMARY', message: `${this.config.name} is not a ready primary` };
    const committed = this.store.committed;
    return committed.consistent(() => {
      const head = committed.position();
      const { position } = request;
      if (catchUpPlan({ head, hashAt: (seq) => committed.hashAt(seq) }, position) === 'entries') {
        return { kind: 'entries', after: position, entries: committed.entriesAfter(position.seq, this.config.shipEntriesMax), primarySeq: head.seq } as const;
      }
      return { kind: 'snapshot', primarySeq: head.seq } as const;
    });
  }

  /** The change feed: committed entries after a position, waiting up to `waitMs` for the next commit. */
  private async feed(request: FeedRequest): Promise<FeedResponse> {
    const deadline = Date.now() + request.waitMs;
    for (;;) {
      if (!this.readyPrimary()) return { kind: 'refused', refusal: 'NOT_PRIMARY', message: `${this.config.name} is not a ready primary` };
      const answer = this.committedAfter(request);
      const wait = deadline - Date.now();
      if (answer.kind !== 'entries' || answer.entries.length > 0 || !request.after || wait <= 0 || this.closed) return answer;
      await this.commits.wait(wait);
    }
  }

  private committedAfter({ after, max }: FeedRequest): FeedResponse {
    const committed = this.store.committed;
    return committed.consistent(() => {
      const head = committed.position();
      if (!after) return { kind: 'entries', entries: [], head };
      if (after.seq > head.seq) return { kind: 'refused', refusal: 'NOT_READY', message: `${this.config.name} has committed only up to ${head.seq}` };
      if (committed.hashAt(after.seq) !== after.hash) return { kind: 'reset', head, message: `seq ${after.seq} is no longer on ${this.config.name}'s log` };
      return { kind: 'entries', entries: committed.entriesAfter(after.seq, max), head };
    });
  }

  private async join(request: JoinRequest) {
    const primary = this.readyPrimary();
    if (!primary) return refused('NOT_PRIMARY', `${this.config.name} is not a ready primary`);
    try {
      return { ok: true as const, view: await primary.join(request.name) };
    } catch (error) {
      return refused('ROUND_FAILED', describe(error));
    }
  }
}
