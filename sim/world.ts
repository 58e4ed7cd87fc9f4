// One simulated cluster on a virtual clock: the real view-decision core
// (replicas/core/views.ts) as the view service, N replicas, a router with
// clients, and a network that delays, loses, duplicates, reorders and cuts
// (one way too) every message. Everything happens through one event queue
// ordered by (time, insertion), and every chance comes from one seeded
// Random, so a seed replays exactly.
//
// The replicas here are a MODEL of the protocol in replicas/replica.ts and
// replicas/primary.ts (rounds, levelling, joining, the commit point): those
// files still do I/O inline. Issue 12 moves them into replicas/core/, and the
// simulator then drives them instead of this model. Already the production
// code: the view service (replicas/core/views.ts) and every shipment verdict
// (replicas/core/shipments.ts: the fence, gaps, divergence, snapshots that
// would lose committed writes, what a primary sends a replica behind it).
import { catchUpPlan, epochVerdict, fitShipment, snapshotLosesCommitted } from '../replicas/core/shipments.ts';
import { ViewCore, type HeartbeatFacts, type Member, type ViewsDurable, EMPTY_VIEWS } from '../replicas/core/views.ts';
import type { View } from '../replicas/protocol.ts';
import { Random } from './random.ts';

export const HEARTBEAT_MS = 100;
export const SUSPECT_MS = 500;
const TICK_MS = 50;
const REPLICATION_TIMEOUT_MS = 300;
const CLIENT_TIMEOUT_MS = 400;
const BATCH_MAX = 8;
const PRODUCTS = 3;

/** Deliberately broken variants: the simulator must find each one (test/sim.test.ts). */
export type Bug =
  | 'promote-any-live-replica' // the view core forgets holders, the committed seq and store ids
  | 'ack-before-backups' // the primary answers a write before its backups have it
  | 'no-dedupe' // a retried request runs again
  | 'commit-below-minimum' // a primary alone (a view below --min-replicas) commits
  | 'no-commit-point'; // a replica named by a stale view leads, and backups take any snapshot (no BEHIND)

export const BUGS: readonly Bug[] = ['promote-any-live-replica', 'ack-before-backups', 'no-dedupe', 'commit-below-minimum', 'no-commit-point'];

export interface Entry {
  seq: number;
  epoch: number;
  reqId: string;
  product: number;
  hash: string;
}

const GENESIS_HASH = '0';

/** A small, fast chained hash (FNV-1a); equal hashes mean equal histories here as in the store. */
function chain(previous: string, seq: number, epoch: number, reqId: string, product: number): string {
  let h = 0x811c9dc5;
  for (const ch of `${previous}|${seq}|${epoch}|${reqId}|${product}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16);
}

interface Disk {
  storeId: string;
  log: Entry[];
  committedSeq: number;
  fencedEpoch: number;
}

type Msg =
  | { t: 'heartbeat'; facts: HeartbeatFacts }
  | { t: 'notice'; view: View; committedSeq: number; stores: Readonly<Record<string, string>> }
  | { t: 'ship'; epoch: number; round: number; after: { seq: number; hash: string }; entries: Entry[]; committedSeq: number }
  | { t: 'snapshot'; epoch: number; round: number; log: Entry[]; committedSeq: number }
  | { t: 'shipAck'; round: number; ok: boolean; code?: 'STALE_EPOCH' | 'GAP' | 'DIVERGED' | 'BEHIND'; head: { seq: number; hash: string }; committedSeq: number }
  | { t: 'report'; epoch: number; unreachable: string }
  | { t: 'addBackup'; epoch: number; backup: string }
  | { t: 'join' }
  | { t: 'write'; epoch: number; reqId: string; product: number }
  /** `epoch`: the epoch the primary committed it in (writes acknowledged in an epoch must survive into every later one). */
  | { t: 'writeReply'; reqId: string; seq: number | null; hash: string | null; epoch: number };

export interface Violation {
  at: number;
  what: string;
}

export interface RunOptions {
  seed: number;
  replicas: number;
  /** --min-replicas: the smallest view that takes writes (2 by default). */
  minReplicas?: number;
  /** Virtual ms of faults and load, then a liveness phase with everything healed. */
  faultsMs: number;
  livenessMs: number;
  clients: number;
  bug?: Bug;
  trace?: (line: string) => void;
}

export interface RunResult {
  seed: number;
  violations: Violation[];
  acked: number;
  commits: number;
  viewChanges: number;
  faults: number;
  events: number;
}

const VS = 'vs';

interface Round {
  id: number;
  entries: Entry[];
  after: { seq: number; hash: string };
  waiting: Set<string>;
  startedAt: number;
  reported: boolean;
  /** A join round brings one replica level, then asks for it to be added. */
  joiner: string | null;
}

class Replica {
  disk: Disk;
  up = true;
  pausedUntil = 0;
  incarnation = 0;
  view: View = EMPTY_VIEWS.view;
  floor = 0;
  pending: Entry[] = [];
  queue: { reqId: string; product: number }[] = [];
  round: Round | null = null;
  levelled = false;
  /** The store id the view service has on record for this replica, from the last notice. */
  recordedStore: string | undefined = undefined;
  /** A joiner was brought level and its addition asked for: no round commits until the answer (the joiner must not become a holder that lacks a commit). */
  joining: { backup: string; epoch: number; sentAt: number } | null = null;

  constructor(
    readonly name: string,
    storeId: string,
  ) {
    this.disk = { storeId, log: [], committedSeq: 0, fencedEpoch: 0 };
  }

  get head(): { seq: number; hash: string } {
    const last = this.pending.at(-1) ?? this.disk.log.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  get committedHead(): { seq: number; hash: string } {
    const last = this.disk.log.at(-1);
    return last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
  }

  hashAt(seq: number): string | null {
    if (seq === 0) return GENESIS_HASH;
    return (this.disk.log[seq - 1] ?? this.pending.find((e) => e.seq === seq))?.hash ?? null;
  }

  get role(): 'PRIMARY' | 'BACKUP' | 'CATCHING_UP' {
    return this.view.primary === this.name ? 'PRIMARY' : this.view.backups.includes(this.name) ? 'BACKUP' : 'CATCHING_UP';
  }

  knownCommitted(): number {
    return Math.max(this.disk.committedSeq, this.floor);
  }
}

/** The view core as the simulator may break it. */
class SimViewCore extends ViewCore {
  constructor(
    private readonly bug: Bug | undefined,
    ...args: ConstructorParameters<typeof ViewCore>
  ) {
    super(...args);
  }
  protected override candidatePool(view: View): readonly string[] {
    return this.bug === 'promote-any-live-replica' ? this.allMembers().map((m) => m.name) : super.candidatePool(view);
  }
  protected override holdsEverything(member: Member): boolean {
    return this.bug === 'promote-any-live-replica' ? true : super.holdsEverything(member);
  }
}

export class World {
  private readonly random: Random;
  private now = 0;
  private insertion = 0;
  private readonly queue: { at: number; n: number; run: () => void }[] = [];
  readonly replicas = new Map<string, Replica>();
  private vsDisk: ViewsDurable = EMPTY_VIEWS;
  private vs: SimViewCore | null = null;
  private vsEpochSeen = 0;
  private readonly cut = new Set<string>();
  /** Extra delay on a directed link: messages from a deposed primary can arrive long after a new view. */
  private readonly slow = new Map<string, number>();
  private lossPercent: number;
  private dupPercent: number;
  private readonly delayMs: { min: number; spread: number };
  private roundIds = 0;
  private storeIds = 0;
  private healed = false;
  readonly violations: Violation[] = [];
  private readonly acked = new Map<string, { seq: number; hash: string; epoch: number }>();
  private readonly committedByEpoch = new Map<number, string>();
  private readonly committedHash = new Map<number, string>();
  private commits = 0;
  private viewChanges = 0;
  private faults = 0;
  private events = 0;
  private clientsWaiting = new Map<string, { product: number; sentAt: number; attempts: number }>();
  private nextReq = 0;
  private wiped = false;

  private readonly minReplicas: number;

  constructor(private readonly options: RunOptions) {
    this.minReplicas = options.minReplicas ?? 2;
    if (this.minReplicas < 1 || this.minReplicas > options.replicas) throw new Error(`minReplicas must be 1..${options.replicas}, not ${this.minReplicas}`);
    this.random = new Random(options.seed);
    this.lossPercent = this.random.int(8);
    this.dupPercent = this.random.int(5);
    this.delayMs = { min: 1, spread: this.random.between(2, 20) };
    for (let i = 1; i <= options.replicas; i++) this.replicas.set(String(i), new Replica(String(i), this.newStoreId()));
  }

  // ---- the event loop -------------------------------------------------------------------

  private at(delayMs: number, run: () => void): void {
    const entry = { at: this.now + Math.max(0, delayMs), n: this.insertion++, run };
    // A binary heap ordered by (at, n): stable and deterministic.
    const q = this.queue;
    q.push(entry);
    let i = q.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = q[parent];
      if (!p || p.at < entry.at || (p.at === entry.at && p.n < entry.n)) break;
      q[i] = p;
      q[parent] = entry;
      i = parent;
    }
  }

  private pop(): { at: number; n: number; run: () => void } | undefined {
    const q = this.queue;
    const top = q[0];
    const last = q.pop();
    if (!top || !last || q.length === 0) return top;
    q[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      const less = (a: number, b: number) => {
        const x = q[a];
        const y = q[b];
        return !!x && !!y && (x.at < y.at || (x.at === y.at && x.n < y.n));
      };
      if (l < q.length && less(l, m)) m = l;
      if (r < q.length && less(r, m)) m = r;
      if (m === i) break;
      const t = q[i];
      const u = q[m];
      if (!t || !u) break;
      q[i] = u;
      q[m] = t;
      i = m;
    }
    return top;
  }

  private trace(line: string): void {
    this.options.trace?.(`${String(this.now).padStart(6)} ${line}`);
  }

  private violation(what: string): void {
    if (this.violations.length < 20) this.violations.push({ at: this.now, what });
    this.trace(`VIOLATION ${what}`);
  }

  run(): RunResult {
    this.startViewService();
    for (const replica of this.replicas.values()) this.startReplica(replica);
    for (let c = 0; c < this.options.clients; c++) this.at(this.random.int(50), () => this.clientLoop());
    this.scheduleFaults();
    const endFaults = this.options.faultsMs;
    this.at(endFaults, () => this.heal());
    const end = endFaults + this.options.livenessMs;
    while (this.queue.length > 0) {
      const next = this.pop();
      if (!next || next.at > end) break;
      this.now = next.at;
      this.events++;
      next.run();
      if (this.violations.length > 0 && !this.options.trace) break;
    }
    if (this.violations.length === 0) this.checkLiveness();
    return {
      seed: this.options.seed,
      violations: this.violations,
      acked: this.acked.size,
      commits: this.commits,
      viewChanges: this.viewChanges,
      faults: this.faults,
      events: this.events,
    };
  }

  // ---- network ---------------------------------------------------------------------------

  private send(from: string, to: string, msg: Msg): void {
    if (this.cut.has(`${from}>${to}`)) return;
    if (this.random.chance(this.lossPercent)) return;
    const copies = this.random.chance(this.dupPercent) ? 2 : 1;
    const extra = this.slow.get(`${from}>${to}`) ?? 0;
    for (let i = 0; i < copies; i++) this.at(extra + this.random.delay(this.delayMs.min, this.delayMs.spread), () => this.deliver(from, to, msg));
  }

  private deliver(from: string, to: string, msg: Msg): void {
    if (to === VS) return this.vsReceive(from, msg);
    if (to === 'router') return this.routerReceive(msg);
    const replica = this.replicas.get(to);
    if (!replica?.up) return;
    // A paused process reads its socket when it wakes.
    if (this.now < replica.pausedUntil) return this.at(replica.pausedUntil - this.now, () => this.deliver(from, to, msg));
    this.replicaReceive(replica, from, msg);
  }

  // ---- view service (the production core) ------------------------------------------------

  private startViewService(): void {
    this.vs = new SimViewCore(this.options.bug, { heartbeatMs: HEARTBEAT_MS, suspectMs: SUSPECT_MS, minReplicas: this.minReplicas }, this.vsDisk, {
      persist: (state) => {
        if (state.view.epoch < this.vsDisk.view.epoch) this.violation(`view service wrote epoch ${state.view.epoch} after ${this.vsDisk.view.epoch}`);
        this.vsDisk = structuredClone(state);
      },
      installed: (view, announce) => {
        if (view.epoch <= this.vsEpochSeen) this.violation(`view epoch ${view.epoch} installed after ${this.vsEpochSeen}`);
        this.vsEpochSeen = view.epoch;
        this.viewChanges++;
        this.trace(`view ${view.epoch} primary=${view.primary} backups=${view.backups.join(',')}`);
        if (announce) for (const name of this.replicas.keys()) this.send(VS, name, { t: 'notice', view, committedSeq: this.vs?.committedSeq ?? 0, stores: this.vs?.stores ?? {} });
      },
      log: (level, _details, message) => {
        if (level !== 'info') this.trace(`vs ${message.slice(0, 120)}`);
      },
    }, this.now);
    const vs = this.vs;
    const tick = () => {
      if (this.vs !== vs) return;
      vs.tick(this.now);
      this.at(TICK_MS, tick);
    };
    this.at(TICK_MS, tick);
  }

  private vsReceive(from: string, msg: Msg): void {
    const vs = this.vs;
    if (!vs) return;
    if (msg.t === 'heartbeat') {
      vs.heartbeat(this.now, msg.facts);
      this.send(VS, from, { t: 'notice', view: vs.view, committedSeq: vs.committedSeq, stores: vs.stores });
    } else if (msg.t === 'report') {
      vs.report(this.now, msg.epoch, from, msg.unreachable);
      this.send(VS, from, { t: 'notice', view: vs.view, committedSeq: vs.committedSeq, stores: vs.stores });
    } else if (msg.t === 'addBackup') {
      vs.addBackup(this.now, msg.epoch, from, msg.backup);
      this.send(VS, from, { t: 'notice', view: vs.view, committedSeq: vs.committedSeq, stores: vs.stores });
    }
  }

  // ---- router and clients (the router lives with the view service, as in the gateway) ------

  private clientLoop(): void {
    const reqId = `w${this.nextReq++}`;
    this.clientsWaiting.set(reqId, { product: this.random.int(PRODUCTS), sentAt: this.now, attempts: 0 });
    this.sendWrite(reqId);
  }

  private sendWrite(reqId: string): void {
    const waiting = this.clientsWaiting.get(reqId);
    const vs = this.vs;
    if (!waiting) return;
    if (!vs || vs.unwritableReason(this.now) !== null || !vs.view.primary) {
      this.at(20, () => this.sendWrite(reqId));
      return;
    }
    const primary = vs.view.primary;
    waiting.attempts++;
    const attempt = waiting.attempts;
    this.send('router', primary, { t: 'write', epoch: vs.view.epoch, reqId, product: waiting.product });
    this.at(CLIENT_TIMEOUT_MS, () => {
      const still = this.clientsWaiting.get(reqId);
      if (!still || still.attempts !== attempt) return;
      this.vs?.unanswered(this.now, primary, 'timeout');
      this.sendWrite(reqId);
    });
  }

  private routerReceive(msg: Msg): void {
    if (msg.t !== 'writeReply') return;
    const waiting = this.clientsWaiting.get(msg.reqId);
    if (!waiting) return;
    const primary = this.vs?.view.primary;
    if (primary) this.vs?.answered(this.now, primary);
    if (msg.seq === null || msg.hash === null) {
      this.at(10, () => this.sendWrite(msg.reqId));
      return;
    }
    const earlier = this.acked.get(msg.reqId);
    if (earlier && earlier.seq !== msg.seq) this.violation(`request ${msg.reqId} acknowledged at seq ${earlier.seq} and again at ${msg.seq}: applied twice`);
    this.acked.set(msg.reqId, { seq: msg.seq, hash: msg.hash, epoch: msg.epoch });
    this.clientsWaiting.delete(msg.reqId);
    // After healing, clients finish what they started: the liveness check waits for those.
    if (!this.healed) this.at(this.random.int(20), () => this.clientLoop());
  }

  // ---- replicas (a model of replicas/replica.ts and primary.ts) -----------------------------

  private newStoreId(): string {
    return `store-${this.storeIds++}`;
  }

  private startReplica(replica: Replica): void {
    replica.up = true;
    replica.incarnation++;
    replica.view = EMPTY_VIEWS.view;
    replica.floor = 0;
    replica.pending = [];
    replica.queue = [];
    replica.round = null;
    replica.levelled = false;
    replica.joining = null;
    replica.recordedStore = undefined;
    const incarnation = replica.incarnation;
    const beat = () => {
      if (!replica.up || replica.incarnation !== incarnation) return;
      this.heartbeat(replica);
      this.later(replica, HEARTBEAT_MS, beat);
    };
    this.later(replica, this.random.int(HEARTBEAT_MS), beat);
  }

  private heartbeat(replica: Replica): void {
    const position = replica.role === 'PRIMARY' ? replica.committedHead : replica.head;
    this.send(replica.name, VS, {
      t: 'heartbeat',
      facts: {
        name: replica.name,
        url: replica.name,
        incarnation: `${replica.name}.${replica.incarnation}`,
        storeId: replica.disk.storeId,
        committedSeq: replica.knownCommitted(),
        canWrite: true,
        view: replica.view,
        role: replica.role === 'PRIMARY' && this.unfitToLead(replica) ? 'CATCHING_UP' : replica.role,
        position,
      },
    });
    if (replica.role === 'CATCHING_UP' && replica.view.primary) this.send(replica.name, replica.view.primary, { t: 'join' });
    if (replica.role === 'PRIMARY') this.primaryWork(replica);
  }

  private replicaReceive(replica: Replica, from: string, msg: Msg): void {
    switch (msg.t) {
      case 'notice':
        replica.recordedStore = msg.stores[replica.name];
        return this.adopt(replica, msg.view, msg.committedSeq);
      case 'ship':
      case 'snapshot':
        return this.backupReceive(replica, from, msg);
      case 'shipAck':
        return this.primaryAck(replica, from, msg);
      case 'write':
        return this.primaryWrite(replica, msg);
      case 'join':
        if (replica.role === 'PRIMARY' && replica.levelled && !replica.round && !replica.view.backups.includes(from) && from !== replica.name) this.startRound(replica, from);
        return;
      default:
        return;
    }
  }

  private adopt(replica: Replica, view: View, floor: number): void {
    replica.floor = Math.max(replica.floor, floor);
    if (view.epoch < replica.view.epoch) return;
    const wasPrimary = replica.role === 'PRIMARY';
    const newer = view.epoch > replica.view.epoch;
    if (newer) replica.disk.fencedEpoch = Math.max(replica.disk.fencedEpoch, view.epoch);
    replica.view = view;
    const joining = replica.joining;
    if (joining && (view.backups.includes(joining.backup) || this.now - joining.sentAt > 4 * REPLICATION_TIMEOUT_MS)) replica.joining = null;
    const isPrimary = replica.role === 'PRIMARY';
    if (wasPrimary && !isPrimary) this.stepDown(replica);
    else if (!wasPrimary && isPrimary) this.becomePrimary(replica);
    else if (isPrimary && newer) {
      // Every new view is levelled before anything more commits (as the real primary's levelAll does).
      if (replica.round) this.reship(replica);
      else {
        replica.levelled = false;
        this.startRound(replica, null);
      }
    }
  }

  private stepDown(replica: Replica): void {
    this.failRound(replica);
    replica.levelled = false;
    replica.joining = null;
    for (const { reqId } of replica.queue.splice(0)) this.send(replica.name, 'router', { t: 'writeReply', reqId, seq: null, hash: null, epoch: 0 });
  }

  /** Rolls the open round back: its writes are refused (the router sends them again). */
  private failRound(replica: Replica): void {
    const round = replica.round;
    replica.pending = [];
    replica.round = null;
    if (round && this.options.bug !== 'ack-before-backups') for (const e of round.entries) this.send(replica.name, 'router', { t: 'writeReply', reqId: e.reqId, seq: null, hash: null, epoch: 0 });
  }

  private becomePrimary(replica: Replica): void {
    replica.levelled = false;
    replica.pending = [];
    this.startRound(replica, null);
  }

  /** Named primary below the committed seq, or on another store than the one on record (a stale view): never lead. */
  private unfitToLead(replica: Replica): boolean {
    if (this.options.bug === 'no-commit-point') return false;
    const otherStore = replica.recordedStore !== undefined && replica.recordedStore !== replica.disk.storeId;
    return replica.head.seq < replica.knownCommitted() || otherStore;
  }

  /** Rounds: queued writes, or none (levelling, or bringing a joiner level). */
  private startRound(replica: Replica, joiner: string | null): void {
    if (replica.round || this.unfitToLead(replica)) return;
    const after = replica.head;
    const entries: Entry[] = [];
    if (joiner === null && replica.levelled) {
      if (replica.joining) return;
      for (const { reqId, product } of replica.queue.splice(0, BATCH_MAX)) {
        const done = this.options.bug === 'no-dedupe' ? undefined : replica.disk.log.find((e) => e.reqId === reqId) ?? entries.find((e) => e.reqId === reqId);
        if (done) {
          this.send(replica.name, 'router', { t: 'writeReply', reqId, seq: done.seq, hash: done.hash, epoch: replica.view.epoch });
          continue;
        }
        const previous = entries.at(-1) ?? after;
        const seq = previous.seq + 1;
        entries.push({ seq, epoch: replica.view.epoch, reqId, product, hash: chain(previous.hash, seq, replica.view.epoch, reqId, product) });
      }
      if (entries.length === 0) return;
    }
    replica.pending = entries;
    const targets = joiner ? [joiner] : replica.view.backups;
    const round: Round = { id: ++this.roundIds, entries, after, waiting: new Set(targets), startedAt: this.now, reported: false, joiner };
    replica.round = round;
    if (this.options.bug === 'ack-before-backups') for (const e of entries) this.send(replica.name, 'router', { t: 'writeReply', reqId: e.reqId, seq: e.seq, hash: e.hash, epoch: replica.view.epoch });
    for (const target of targets) this.ship(replica, target, round.after, round.entries);
    this.maybeCommit(replica);
    const incarnation = replica.incarnation;
    const watchdog = () => {
      if (replica.round !== round || replica.incarnation !== incarnation || !replica.up) return;
      if (round.joiner) {
        replica.round = null;
        if (replica.queue.length > 0) this.startRound(replica, null);
        return;
      }
      if (!round.reported) {
        round.reported = true;
        for (const backup of round.waiting) this.send(replica.name, VS, { t: 'report', epoch: replica.view.epoch, unreachable: backup });
      }
      this.reship(replica);
      this.later(replica, REPLICATION_TIMEOUT_MS, watchdog);
    };
    this.later(replica, REPLICATION_TIMEOUT_MS, watchdog);
  }

  /** A replica's own timer: a paused process runs it when it wakes, not before. */
  private later(replica: Replica, delayMs: number, run: () => void): void {
    const fire = () => {
      if (this.now < replica.pausedUntil) return this.at(replica.pausedUntil - this.now, fire);
      run();
    };
    this.at(delayMs, fire);
  }

  private ship(replica: Replica, to: string, after: { seq: number; hash: string }, entries: Entry[]): void {
    const round = replica.round;
    if (!round) return;
    this.send(replica.name, to, { t: 'ship', epoch: replica.view.epoch, round: round.id, after, entries, committedSeq: replica.disk.committedSeq });
  }

  /** The view changed under a round: ship to whoever the view's backups now are. */
  private reship(replica: Replica): void {
    const round = replica.round;
    if (!round) return;
    // Whoever the view's backups now are must hold the round (one that acked already answers at once).
    if (!round.joiner) round.waiting = new Set(replica.view.backups);
    for (const target of round.waiting) this.ship(replica, target, round.after, round.entries);
    this.maybeCommit(replica);
  }

  private primaryAck(replica: Replica, from: string, msg: Extract<Msg, { t: 'shipAck' }>): void {
    const round = replica.round;
    if (!round || round.id !== msg.round || replica.role !== 'PRIMARY') return;
    if (msg.ok) {
      if (msg.head.seq === replica.head.seq && msg.head.hash === replica.head.hash) round.waiting.delete(from);
      this.maybeCommit(replica);
      return;
    }
    if (msg.code === 'STALE_EPOCH') return; // a newer view exists: the notice will depose us
    if (msg.code === 'BEHIND') {
      // Named primary by a stale view: it learns what was committed and stops leading (unfitToLead).
      this.trace(`${replica.name} lacks committed writes ${from} holds: steps down`);
      replica.floor = Math.max(replica.floor, msg.committedSeq);
      return this.stepDown(replica);
    }
    if (catchUpPlan(replica, msg.head) === 'entries') {
      const all = [...replica.disk.log, ...replica.pending];
      this.send(replica.name, from, { t: 'ship', epoch: replica.view.epoch, round: round.id, after: msg.head, entries: all.slice(msg.head.seq), committedSeq: replica.disk.committedSeq });
    } else {
      this.send(replica.name, from, { t: 'snapshot', epoch: replica.view.epoch, round: round.id, log: [...replica.disk.log, ...replica.pending], committedSeq: replica.disk.committedSeq });
    }
  }

  private maybeCommit(replica: Replica): void {
    const round = replica.round;
    if (!round || round.waiting.size > 0) return;
    const { view } = replica;
    if (round.joiner) {
      replica.round = null;
      replica.joining = { backup: round.joiner, epoch: view.epoch, sentAt: this.now };
      this.send(replica.name, VS, { t: 'addBackup', epoch: view.epoch, backup: round.joiner });
      return;
    }
    // A view below its minimum size commits nothing: holders then have every committed write.
    const canCommit = 1 + view.backups.length >= this.minReplicas || this.options.bug === 'commit-below-minimum';
    if (round.entries.length === 0) {
      replica.round = null;
      replica.levelled = true;
      if (canCommit) replica.disk.committedSeq = Math.max(replica.disk.committedSeq, replica.committedHead.seq);
      if (replica.queue.length > 0) this.startRound(replica, null);
      return;
    }
    if (!canCommit) return this.failRound(replica);
    this.trace(`${replica.name} commits ${round.entries.map((e) => `${e.reqId}@${e.seq}`).join(',')} in epoch ${view.epoch} (round ${round.id} of epoch ${round.entries[0]?.epoch})`);
    replica.disk.log.push(...replica.pending);
    replica.pending = [];
    replica.round = null;
    replica.levelled = true;
    replica.disk.committedSeq = Math.max(replica.disk.committedSeq, replica.committedHead.seq);
    this.commits++;
    this.checkCommit(replica, view.epoch);
    if (this.options.bug !== 'ack-before-backups') for (const e of round.entries) this.send(replica.name, 'router', { t: 'writeReply', reqId: e.reqId, seq: e.seq, hash: e.hash, epoch: view.epoch });
    if (replica.queue.length > 0) this.startRound(replica, null);
  }

  /** Each heartbeat: give up a join whose answer never came, and keep the queue moving. */
  private primaryWork(replica: Replica): void {
    if (replica.joining && this.now - replica.joining.sentAt > 4 * REPLICATION_TIMEOUT_MS) replica.joining = null;
    if (!replica.round) this.startRound(replica, null);
  }

  private primaryWrite(replica: Replica, msg: Extract<Msg, { t: 'write' }>): void {
    const belowMinimum = 1 + replica.view.backups.length < this.minReplicas && this.options.bug !== 'commit-below-minimum';
    if (replica.role !== 'PRIMARY' || msg.epoch !== replica.view.epoch || !replica.levelled || belowMinimum) {
      this.send(replica.name, 'router', { t: 'writeReply', reqId: msg.reqId, seq: null, hash: null, epoch: 0 });
      return;
    }
    if (!replica.queue.some((q) => q.reqId === msg.reqId)) replica.queue.push({ reqId: msg.reqId, product: msg.product });
    if (!replica.round) this.startRound(replica, null);
  }

  private backupReceive(replica: Replica, from: string, msg: Extract<Msg, { t: 'ship' } | { t: 'snapshot' }>): void {
    const answer = (ok: boolean, code?: 'STALE_EPOCH' | 'GAP' | 'DIVERGED' | 'BEHIND') =>
      this.send(replica.name, from, { t: 'shipAck', round: msg.round, ok, code, head: replica.head, committedSeq: replica.knownCommitted() });
    const verdict = epochVerdict(msg.epoch, replica.disk.fencedEpoch, replica.role, replica.view.epoch);
    if (verdict === 'stale') return answer(false, 'STALE_EPOCH');
    replica.disk.fencedEpoch = Math.max(replica.disk.fencedEpoch, msg.epoch);
    if (verdict === 'take-and-step-down') {
      this.stepDown(replica);
      replica.view = { epoch: replica.view.epoch, primary: null, backups: [] };
    }
    if (msg.t === 'snapshot') {
      const lastEntry = msg.log.at(-1);
      const last = lastEntry?.seq ?? 0;
      const lacks = snapshotLosesCommitted({ seq: last, hash: lastEntry?.hash ?? GENESIS_HASH }, replica.knownCommitted());
      if (lacks && this.options.bug !== 'no-commit-point') return answer(false, 'BEHIND');
      replica.disk.log = msg.log.map((e) => ({ ...e }));
      replica.disk.committedSeq = Math.max(replica.disk.committedSeq, Math.min(msg.committedSeq, last));
      this.checkReplica(replica);
      return answer(true);
    }
    const fit = fitShipment(replica, msg.after, msg.entries);
    if (fit.kind === 'gap') return answer(false, 'GAP');
    if (fit.kind === 'diverged') return answer(false, 'DIVERGED');
    for (const entry of fit.fresh) replica.disk.log.push({ ...entry });
    replica.disk.committedSeq = Math.max(replica.disk.committedSeq, msg.committedSeq);
    this.checkReplica(replica);
    answer(true);
  }

  // ---- faults --------------------------------------------------------------------------------

  private scheduleFaults(): void {
    const next = () => {
      if (this.healed) return;
      this.fault();
      this.at(this.random.between(80, 400), next);
    };
    this.at(this.random.between(200, 500), next);
  }

  private fault(): void {
    const names = [...this.replicas.keys()];
    const down = [...this.replicas.values()].filter((r) => !r.up);
    const kind = this.random.int(100);
    this.faults++;
    if (kind < 25 && down.length > 0) {
      const replica = this.random.pick(down);
      this.trace(`restart ${replica.name}`);
      this.startReplica(replica);
    } else if (kind < 45 && down.length < this.replicas.size - this.minReplicas + 1) {
      const replica = this.random.pick([...this.replicas.values()].filter((r) => r.up));
      // Crash: what was not on disk is gone (the open round, the queue, the view it heard of).
      const wipe = !this.wiped && this.random.chance(15);
      this.trace(`${wipe ? 'wipe' : 'crash'} ${replica.name}`);
      replica.up = false;
      replica.incarnation++;
      if (wipe) {
        this.wiped = true;
        replica.disk = { storeId: this.newStoreId(), log: [], committedSeq: 0, fencedEpoch: 0 };
      }
      this.at(this.random.between(100, 1500), () => {
        if (!replica.up && !this.healed) {
          this.trace(`restart ${replica.name}`);
          this.startReplica(replica);
        }
      });
    } else if (kind < 60) {
      const from = this.random.pick([...names, VS]);
      const to = this.random.pick([...names, VS, 'router'].filter((n) => n !== from));
      const oneWay = this.random.chance(50);
      this.trace(`cut ${from}>${to}${oneWay ? '' : ' both ways'}`);
      this.cut.add(`${from}>${to}`);
      if (!oneWay) this.cut.add(`${to}>${from}`);
      this.at(this.random.between(100, 1500), () => {
        this.cut.delete(`${from}>${to}`);
        this.cut.delete(`${to}>${from}`);
      });
    } else if (kind < 63 && this.vs?.view.primary) {
      // The primary cut off from the view service but not from its backups, its shipments slow:
      // it is deposed while its round is in flight, and its late shipments must be refused (fencing).
      const primary = this.vs.view.primary;
      const ms = this.random.between(300, 900);
      this.trace(`cut off primary ${primary} from the view service, its shipments slowed by ${ms} ms`);
      const links = [`${primary}>${VS}`, `${VS}>${primary}`, `router>${primary}`];
      for (const link of links) this.cut.add(link);
      for (const backup of names.filter((n) => n !== primary)) this.slow.set(`${primary}>${backup}`, ms);
      this.at(this.random.between(800, 2000), () => {
        for (const link of links) this.cut.delete(link);
        for (const backup of names.filter((n) => n !== primary)) this.slow.delete(`${primary}>${backup}`);
      });
    } else if (kind < 67) {
      const from = this.random.pick(names);
      const to = this.random.pick(names.filter((n) => n !== from));
      const ms = this.random.between(100, 1500);
      this.trace(`slow ${from}>${to} by ${ms} ms`);
      this.slow.set(`${from}>${to}`, ms);
      this.at(this.random.between(200, 2000), () => this.slow.delete(`${from}>${to}`));
    } else if (kind < 78) {
      const replica = this.random.pick([...this.replicas.values()]);
      replica.pausedUntil = this.now + this.random.between(50, 1200);
      this.trace(`pause ${replica.name} until ${replica.pausedUntil}`);
    } else if (kind < 85) {
      this.trace('view service restarts');
      this.vs = null;
      this.at(this.random.between(10, 500), () => this.startViewService());
    } else {
      this.lossPercent = this.random.int(20);
      this.trace(`loss ${this.lossPercent}%`);
    }
  }

  private heal(): void {
    this.healed = true;
    this.cut.clear();
    this.slow.clear();
    this.lossPercent = 0;
    this.dupPercent = 0;
    if (!this.vs) this.startViewService();
    for (const replica of this.replicas.values()) {
      replica.pausedUntil = 0;
      if (!replica.up) this.startReplica(replica);
    }
    this.trace('healed');
  }

  // ---- checks --------------------------------------------------------------------------------

  /** After a primary commits: it alone commits in this epoch, and it holds every acknowledged write. */
  private checkCommit(replica: Replica, epoch: number): void {
    const committer = this.committedByEpoch.get(epoch);
    if (committer && committer !== replica.name) this.violation(`two primaries committed in epoch ${epoch}: ${committer} and ${replica.name}`);
    this.committedByEpoch.set(epoch, replica.name);
    // A primary's first commit in an epoch is where a lost write would show: it must hold every write
    // acknowledged in an earlier epoch (a deposed primary may still commit late in its own, older epoch).
    if (!committer) this.checkHoldsAcked(replica, epoch);
  }

  /** Every write acknowledged before `epoch` is in the replica's log at its seq. */
  private checkHoldsAcked(replica: Replica, epoch = Number.MAX_SAFE_INTEGER): void {
    for (const [reqId, { seq, hash, epoch: ackedIn }] of this.acked) {
      if (ackedIn >= epoch) continue;
      if (replica.hashAt(seq) !== hash) this.violation(`acknowledged ${reqId} (seq ${seq}) is not in ${replica.name}'s log: lost`);
    }
    this.checkReplica(replica);
  }

  /** A log holds each request once, chains, and agrees with every other log on committed seqs. */
  private checkReplica(replica: Replica): void {
    const seen = new Set<string>();
    let previous = GENESIS_HASH;
    for (const [i, entry] of replica.disk.log.entries()) {
      if (entry.seq !== i + 1) return this.violation(`${replica.name}'s log has seq ${entry.seq} at position ${i + 1}`);
      if (seen.has(entry.reqId)) return this.violation(`${replica.name}'s log holds ${entry.reqId} twice`);
      seen.add(entry.reqId);
      if (chain(previous, entry.seq, entry.epoch, entry.reqId, entry.product) !== entry.hash) return this.violation(`${replica.name}'s log breaks the hash chain at ${entry.seq}`);
      previous = entry.hash;
    }
    for (const entry of replica.disk.log.slice(0, replica.disk.committedSeq)) {
      const known = this.committedHash.get(entry.seq);
      if (known === undefined) this.committedHash.set(entry.seq, entry.hash);
      else if (known !== entry.hash) return this.violation(`committed seq ${entry.seq} differs between replicas`);
    }
  }

  /** After the healed phase: everything asked was acknowledged, and every replica holds the same log. */
  private checkLiveness(): void {
    if (this.clientsWaiting.size > 0) {
      this.violation(`liveness: ${this.clientsWaiting.size} writes still unacknowledged ${this.options.livenessMs} ms after healing (view ${JSON.stringify(this.vs?.view)}, ${this.vs?.unwritableReason(this.now) ?? 'writable'})`);
      return;
    }
    const heads = [...this.replicas.values()].map((r) => `${r.name}:${r.committedHead.seq}/${r.committedHead.hash}`);
    const first = [...this.replicas.values()][0]?.committedHead;
    const level = [...this.replicas.values()].every((r) => r.committedHead.seq === first?.seq && r.committedHead.hash === first.hash);
    const view = this.vs?.view;
    if (!level || !view || 1 + view.backups.length !== this.replicas.size) {
      this.violation(`liveness: replicas did not converge into one view after healing (${heads.join(' ')}; view ${JSON.stringify(view)})`);
    }
    for (const replica of this.replicas.values()) this.checkHoldsAcked(replica);
  }
}

/** Runs one seed with the standard shape for `npm test` and `npm run sim`. */
export function simulate(seed: number, overrides: Partial<RunOptions> = {}): RunResult {
  const random = new Random(seed ^ 0x5eed);
  const replicas = random.between(3, 4);
  return new World({
    seed,
    replicas,
    // One run in four needs three replicas to take writes (every fault then costs writability).
    minReplicas: replicas >= 3 && random.chance(25) ? 3 : 2,
    faultsMs: 3000,
    livenessMs: 6000,
    clients: random.between(1, 4),
    ...overrides,
  }).run();
}
