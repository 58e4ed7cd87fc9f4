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
import { HttpError, SNAPSHOT_BYTES_MAX, callPeer, describe, guarded, readJson, secretMatches, sendJson } from './http.ts';
import { Primary, refused, sleep } from './primary.ts';
import {
  CatchUpRequest,
  type CatchUpResponse,
  FeedRequest,
  type FeedResponse,
  InstallSnapshotRequest,
  JoinRequest,
  ReadRequest,
  ReplicateRequest,
  type ReplicateResponse,
  type Role,
  type StatusResponse,
  type View,
  ViewNotice,
  WriteBatchRequest,
  WriteRequest,
} from './protocol.ts';
import { executeRead } from './reads.ts';
import { Store } from './store.ts';

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

const NO_VIEW: View = { epoch: 0, primary: null, backups: [] };

export async function startReplica(config: ReplicaConfig): Promise<RunningReplica> {
  const store = Store.open(join(config.dataDir, 'replicas', `${config.name}.db`));
  const replica = new Replica(config, store);
  const server = createServer(guarded((req, res) => replica.handle(req, res), (error) => config.log.error({ err: describe(error) }, 'request failed')));
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
  private primaryStopped: Promise<void> = Promise.resolve();
  private readonly incarnation = randomUUID();
  private url = '';
  private closed = false;
  private catchingUp = false;
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
    this.notice = { view, urls: {}, minReplicas: 2 };
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
    if (notice.view.epoch > current.epoch) {
      this.store.setMeta('view', JSON.stringify(notice.view));
      this.fence(notice.view.epoch);
      this.log.info({ view: notice.view }, 'new view');
    }
    this.notice = notice;
    this.reconcile();
  }

  private reconcile(): void {
    const { view } = this.notice;
    const wanted: Role = view.primary === this.config.name ? 'PRIMARY' : view.backups.includes(this.config.name) ? 'BACKUP' : 'CATCHING_UP';
    if (this.closed) return;
    if (wanted !== this.role) {
      this.log.info({ from: this.role, to: wanted, epoch: view.epoch }, 'role change');
      if (this.role === 'PRIMARY') this.stepDown();
      this.role = wanted;
      if (wanted === 'PRIMARY') this.becomePrimary();
    }
    if (this.role === 'CATCHING_UP') void this.catchUpLoop();
  }

  private becomePrimary(): void {
    const primary = new Primary(this.store, this.primaryLink(), {
      batchOpsMax: this.config.batchOpsMax,
      replicationTimeoutMs: this.config.replicationTimeoutMs,
      shipEntriesMax: this.config.shipEntriesMax,
    }, this.log);
    this.primary = primary;
    primary.start().catch((error) => this.log.warn({ err: describe(error) }, 'could not become a ready primary'));
  }

  private stepDown(): void {
    const primary = this.primary;
    this.primary = null;
    if (!primary) return;
    primary.stop();
    // The round in flight (if any) rolls back before anything else touches the store.
    this.primaryStopped = primary.exclusive(async () => undefined);
  }

  private fence(epoch: number): void {
    if (epoch <= this.fencedEpoch) return;
    this.fencedEpoch = epoch;
    this.store.setMeta('fencedEpoch', String(epoch));
  }

  private primaryLink() {
    return {
      name: this.config.name,
      secret: this.config.secret,
      view: () => this.notice.view,
      url: (name: string) => this.notice.urls[name],
      minReplicas: () => this.notice.minReplicas,
      refreshView: () => this.heartbeat(),
      committed: (roundSeconds?: number) => {
        if (roundSeconds !== undefined) {
          this.rounds.count++;
          this.rounds.seconds += roundSeconds;
          this.metrics.roundSeconds.observe(roundSeconds);
        }
        this.commits.notify();
      },
      reportUnreachable: async (epoch: number, backup: string) => {
        try {
          this.onNotice(await this.callGateway('/cluster/report', { epoch, reporter: this.config.name, unreachable: backup }));
        } catch (error) {
          this.log.warn({ err: describe(error) }, 'could not report to the view service');
          await sleep(this.config.heartbeatMs);
        }
      },
    };
  }

  // ---- loops --------------------------------------------------------------------

  private async heartbeatLoop(): Promise<void> {
    let beats = 0;
    let failures = 0;
    while (!this.closed) {
      try {
        await this.heartbeat();
        failures = 0;
      } catch (error) {
        if (failures++ % 50 === 0) this.log.warn({ err: describe(error) }, 'view service unreachable');
      }
      if (++beats % 100 === 0 && !this.store.inTransaction) this.store.trim(this.config.logEntriesMax, this.config.dedupeEntriesMax);
      else if (beats % 5 === 0) this.store.checkpoint();
      await sleep(this.config.heartbeatMs);
    }
  }

  private async heartbeat(): Promise<void> {
    const position = this.role === 'PRIMARY' ? this.store.committed.position() : this.store.head;
    const beat = { name: this.config.name, url: this.url, incarnation: this.incarnation, role: this.role, view: this.notice.view, position, rounds: this.rounds };
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
      await this.primaryStopped;
      while (this.role === 'CATCHING_UP' && !this.closed) {
        try {
          const joined = await catchUpAndJoin(this.store, {
            name: this.config.name,
            secret: this.config.secret,
            primaryUrl: () => (this.notice.view.primary ? this.notice.urls[this.notice.view.primary] ?? null : null),
            stillCatchingUp: () => this.role === 'CATCHING_UP' && !this.closed,
            snapshotInstalled: (position) => this.log.info({ position }, 'installed a snapshot'),
          }, { joinLagMax: this.config.joinLagMax, timeoutMs: this.config.replicationTimeoutMs * 10 });
          if (joined) await this.heartbeat();
          else await sleep(this.config.heartbeatMs);
        } catch (error) {
          this.log.info({ err: describe(error) }, 'catching up failed; trying again');
          await sleep(this.config.heartbeatMs * 2);
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
        const { requests } = await readJson(req, WriteBatchRequest);
        return sendJson(res, 200, { answers: await Promise.all(requests.map((request) => this.write(request))) });
      }
      case '/read':
        return sendJson(res, 200, this.read(await readJson(req, ReadRequest)));
      case '/replicate':
        return sendJson(res, 200, this.replicate(await readJson(req, ReplicateRequest)));
      case '/snapshot':
        return sendJson(res, 200, this.installSnapshot(await readJson(req, InstallSnapshotRequest, SNAPSHOT_BYTES_MAX)));
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
    const refusal = this.refuseShipment(request.epoch);
    if (refusal) return refusal;
    const result = this.store.applyShipped(request.after, request.entries);
    if (result === 'ok') {
      if (request.entries.length > 0) this.log.debug({ requestIds: request.entries.map((e) => e.requestId), seq: this.store.head.seq }, 'applied');
      return { ok: true, position: this.store.head };
    }
    return { ok: false, code: result === 'gap' ? 'GAP' : 'DIVERGED', epoch: this.fencedEpoch, position: this.store.head };
  }

  private installSnapshot(request: InstallSnapshotRequest) {
    const refusal = this.refuseShipment(request.epoch);
    if (refusal) return refusal;
    this.store.installSnapshot(request.snapshot);
    this.log.info({ position: this.store.head }, 'installed a snapshot');
    return { ok: true, position: this.store.head };
  }

  /** Only a primary of the newest epoch this replica has seen may ship to it. */
  private refuseShipment(epoch: number): ReplicateResponse | null {
    const stale = epoch < this.fencedEpoch || (this.role === 'PRIMARY' && epoch <= this.notice.view.epoch);
    if (stale) return { ok: false, code: 'STALE_EPOCH', epoch: this.fencedEpoch, position: this.store.head };
    this.fence(epoch);
    if (this.role === 'PRIMARY') {
      // A newer primary exists: this one was deposed and has not heard yet.
      this.stepDown();
      this.role = 'CATCHING_UP';
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
      if (position.seq <= head.seq && committed.hashAt(position.seq) === position.hash) {
        return { kind: 'entries', after: position, entries: committed.entriesAfter(position.seq, this.config.shipEntriesMax), primarySeq: head.seq } as const;
      }
      return { kind: 'snapshot', snapshot: committed.snapshot(), primarySeq: head.seq } as const;
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
      return { ok: true as const, view: await primary.admit(request.name, (epoch, backup) => this.addBackup(epoch, backup)) };
    } catch (error) {
      return refused('ROUND_FAILED', describe(error));
    }
  }

  private async addBackup(epoch: number, backup: string): Promise<View> {
    const notice = await this.callGateway('/cluster/add-backup', { epoch, primary: this.config.name, backup });
    this.onNotice(notice);
    return notice.view;
  }
}
