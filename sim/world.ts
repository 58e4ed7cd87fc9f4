// One simulated cluster on a virtual clock, running the production protocol
// code: the view service is replicas/core/views.ts, every primary is
// replicas/core/primary.ts over an in-memory store, every shipment verdict is
// replicas/core/shipments.ts. Around them: N replicas (their role changes and
// heartbeats a model of replicas/replica.ts), a router with clients, and a
// network that delays, loses, duplicates, reorders and cuts (one way too)
// every message. Everything happens through one event queue ordered by
// (time, insertion), and every chance comes from one seeded Random, so a seed
// replays exactly.
import { checkHistory } from '../chaos/checker.ts';
import type { FinalState, History, Op } from '../chaos/history.ts';
import { AwakeClock } from '../replicas/core/awake-clock.ts';
import { InvariantBroken } from '../replicas/core/invariant.ts';
import { PrimaryCore, type PrimarySink, type PrimaryStore } from '../replicas/core/primary.ts';
import { namedRole, wantedRole } from '../replicas/core/roles.ts';
import { epochVerdict, fitShipment, snapshotLosesCommitted } from '../replicas/core/shipments.ts';
import { ViewCore, type HeartbeatFacts, type Member, type ViewsDurable, EMPTY_VIEWS, viewsClockStepMaxMs } from '../replicas/core/views.ts';
import type { Role, View } from '../replicas/protocol.ts';
import { Random } from './random.ts';

export const HEARTBEAT_MS = 100;
export const SUSPECT_MS = 500;
const TICK_MS = 50;
const REPLICATION_TIMEOUT_MS = 300;
const CLIENT_TIMEOUT_MS = 400;
const BATCH_MAX = 8;
const SHIP_ENTRIES_MAX = 64;
/** How often a primary's core is given the time. */
const PRIMARY_TICK_MS = 20;
const PRODUCTS = 3;

/** Deliberately broken variants: the simulator must find each one (test/sim.test.ts). */
export type Bug =
  | 'promote-any-live-replica' // the view core forgets holders, the committed seq and store ids
  | 'ack-before-backups' // the primary answers a write before its backups have it
  | 'no-dedupe' // a retried request runs again
  | 'commit-below-minimum' // a primary alone (a view below --min-replicas) commits
  | 'no-commit-point' // a replica named by a stale view leads, and backups take any snapshot (no BEHIND)
  | 'accept-old-epoch' // a backup takes a shipment from a primary of an older epoch than its fence
  | 'forget-fence-on-restart' // the fence epoch lives only in memory: a restarted backup takes a deposed primary's shipments
  | 'level-once'; // the replica tells its primary core only of views that change its role (the levelling bug found by reading)

export const BUGS: readonly Bug[] = [
  'promote-any-live-replica',
  'ack-before-backups',
  'no-dedupe',
  'commit-below-minimum',
  'no-commit-point',
  'accept-old-epoch',
  'forget-fence-on-restart',
  'level-once',
];

export interface Entry {
  seq: number;
  epoch: number;
  reqId: string;
  product: number;
  /** The product's stock after this entry (the primary's business rule decided it, as an effect does). */
  stock: number;
  hash: string;
}

const GENESIS_HASH = '0';

/** A small, fast chained hash (FNV-1a); equal hashes mean equal histories here as in the store. */
function chain(previous: string, seq: number, epoch: number, reqId: string, product: number, stock: number): string {
  let h = 0x811c9dc5;
  for (const ch of `${previous}|${seq}|${epoch}|${reqId}|${product}|${stock}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
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
  | { t: 'notice'; view: View; committedSeq: number; minReplicas: number; stores: Readonly<Record<string, string>>; addBackupAnswer?: boolean }
  | { t: 'ship'; epoch: number; round: number; after: { seq: number; hash: string }; entries: Entry[]; committedSeq: number }
  | { t: 'snapshot'; epoch: number; round: number; log: Entry[]; committedSeq: number }
  | { t: 'shipAck'; round: number; ok: boolean; code?: 'STALE_EPOCH' | 'GAP' | 'DIVERGED' | 'BEHIND'; head: { seq: number; hash: string }; committedSeq: number }
  | { t: 'report'; epoch: number; unreachable: string }
  | { t: 'addBackup'; epoch: number; backup: string }
  | { t: 'join' }
  | { t: 'write'; epoch: number; reqId: string; product: number }
  /** `epoch`: the epoch the primary committed it in (writes acknowledged in an epoch must survive into every later one). */
  | { t: 'writeReply'; reqId: string; seq: number | null; hash: string | null; epoch: number; outOfStock?: boolean };

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

/** A write's outcome: the order's place in the log, or out of stock (a definite answer: nothing was written). */
type Outcome = { seq: number; hash: string } | { outOfStock: true };
type Core = PrimaryCore<{ product: number }, Entry, Outcome>;

class Replica {
  disk: Disk;
  up = true;
  pausedUntil = 0;
  incarnation = 0;
  /** How far its clock has jumped ahead of the simulator's. */
  clockJumpMs = 0;
  /** Its disk is slow until then: each shipment takes `diskDelayMs` to apply and answer. */
  diskSlowUntil = 0;
  diskDelayMs = 0;
  view: View = EMPTY_VIEWS.view;
  minReplicas = 2;
  floor = 0;
  /** The open round's entries (the real store's uncommitted transaction). */
  pending: Entry[] = [];
  /** The primary's protocol core while this replica leads (the production code of replicas/core/primary.ts). */
  primary: Core | null = null;
  /** The store id the view service has on record for this replica, from the last notice. */
  recordedStore: string | undefined = undefined;

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

  /** The role the view names it to. */
  get named(): Role {
    return namedRole(this.name, this.view);
  }

  /** The role it plays: named primary, it leads only with a live core (not when unfit). */
  get role(): Role {
    const named = this.named;
    return named === 'PRIMARY' && !this.primary?.isLeading ? 'CATCHING_UP' : named;
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
  private vsClock: AwakeClock | null = null;
  /** The gateway process (view service and router) is stalled until then. */
  private gatewayPausedUntil = 0;
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
  /** Every write a client asked for, and what it was told: the history the chaos checker judges at the end. */
  private readonly asked = new Map<string, { client: number; product: number; tip: number; answer: 'ok' | 'out-of-stock' | null }>();
  /** Each product's stock before any order. */
  private readonly initialStock: number[];
  private nextReq = 0;
  private wiped = false;
  /** Per replica, the newest epoch its store adopted (kept by the checker, beside the replica's own fence). */
  private readonly epochs = new Map<string, number>();

  private readonly minReplicas: number;

  constructor(private readonly options: RunOptions) {
    this.minReplicas = options.minReplicas ?? 2;
    if (this.minReplicas < 1 || this.minReplicas > options.replicas) throw new Error(`minReplicas must be 1..${options.replicas}, not ${this.minReplicas}`);
    this.random = new Random(options.seed);
    this.lossPercent = this.random.int(8);
    this.dupPercent = this.random.int(5);
    this.delayMs = { min: 1, spread: this.random.between(2, 20) };
    // Little enough stock that some runs sell out: an order then is a definite refusal, and stock must add up.
    this.initialStock = Array.from({ length: PRODUCTS }, () => this.random.between(5, 60));
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
    for (let c = 0; c < this.options.clients; c++) this.at(this.random.int(50), () => this.clientLoop(c));
    this.scheduleFaults();
    const endFaults = this.options.faultsMs;
    this.at(endFaults, () => this.heal());
    const end = endFaults + this.options.livenessMs;
    while (this.queue.length > 0) {
      const next = this.pop();
      if (!next || next.at > end) break;
      this.now = next.at;
      this.events++;
      try {
        next.run();
      } catch (error) {
        // A core's assertion fails as the process would stop: a violation naming the invariant.
        if (!(error instanceof InvariantBroken)) throw error;
        this.violation(error.message);
        break;
      }
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
    if (to === VS || to === 'router') {
      // A stalled gateway reads its sockets when it wakes.
      if (this.now < this.gatewayPausedUntil) return this.at(this.gatewayPausedUntil - this.now, () => this.deliver(from, to, msg));
      return to === VS ? this.vsReceive(from, msg) : this.routerReceive(msg);
    }
    const replica = this.replicas.get(to);
    if (!replica?.up) return;
    // A paused process reads its socket when it wakes.
    if (this.now < replica.pausedUntil) return this.at(replica.pausedUntil - this.now, () => this.deliver(from, to, msg));
    this.replicaReceive(replica, from, msg);
  }

  // ---- view service (the production core) ------------------------------------------------

  private startViewService(): void {
    const config = { heartbeatMs: HEARTBEAT_MS, suspectMs: SUSPECT_MS, minReplicas: this.minReplicas };
    // Time as the gateway lives it: its own stalls do not count as the replicas' silence (as in server/view-service.ts).
    this.vsClock = new AwakeClock(viewsClockStepMaxMs(config), () => this.now);
    this.vs = new SimViewCore(this.options.bug, config, this.vsDisk, {
      persist: (state) => {
        if (state.view.epoch < this.vsDisk.view.epoch) this.violation(`view service wrote epoch ${state.view.epoch} after ${this.vsDisk.view.epoch}`);
        this.vsDisk = structuredClone(state);
      },
      installed: (view, announce) => {
        if (view.epoch <= this.vsEpochSeen) this.violation(`view epoch ${view.epoch} installed after ${this.vsEpochSeen}`);
        this.vsEpochSeen = view.epoch;
        this.viewChanges++;
        this.trace(`view ${view.epoch} primary=${view.primary} backups=${view.backups.join(',')}`);
        if (announce) for (const name of this.replicas.keys()) this.send(VS, name, this.notice());
      },
      log: (level, _details, message) => {
        if (level !== 'info') this.trace(`vs ${message.slice(0, 120)}`);
      },
    }, this.vsNow());
    const vs = this.vs;
    const tick = () => {
      if (this.vs !== vs) return;
      vs.tick(this.vsNow());
      this.gatewayAt(TICK_MS, tick);
    };
    this.gatewayAt(TICK_MS, tick);
  }

  /** The view service's time: its awake clock. */
  private vsNow(): number {
    return this.vsClock?.now() ?? 0;
  }

  /** A timer of the gateway process (the view service and the router): a stalled gateway runs it when it wakes. */
  private gatewayAt(delayMs: number, run: () => void): void {
    const fire = () => {
      if (this.now < this.gatewayPausedUntil) return this.at(this.gatewayPausedUntil - this.now, fire);
      run();
    };
    this.at(delayMs, fire);
  }

  private vsReceive(from: string, msg: Msg): void {
    const vs = this.vs;
    if (!vs) return;
    const now = this.vsNow();
    if (msg.t === 'heartbeat') vs.heartbeat(now, msg.facts);
    else if (msg.t === 'report') vs.report(now, msg.epoch, from, msg.unreachable);
    else if (msg.t === 'addBackup') vs.addBackup(now, msg.epoch, from, msg.backup);
    else return;
    this.send(VS, from, { ...this.notice(), addBackupAnswer: msg.t === 'addBackup' });
  }

  /** What the view service tells a replica (replicas/protocol.ts ViewNotice, less the urls). */
  private notice(): Extract<Msg, { t: 'notice' }> {
    const vs = this.vs;
    // The broken view core forgets the committed seq and store ids: its notices carry none.
    const forgets = this.options.bug === 'promote-any-live-replica';
    return { t: 'notice', view: vs?.view ?? EMPTY_VIEWS.view, committedSeq: forgets ? 0 : vs?.committedSeq ?? 0, minReplicas: this.minReplicas, stores: forgets ? {} : vs?.stores ?? {} };
  }

  // ---- router and clients (the router lives with the view service, as in the gateway) ------

  private clientLoop(client: number): void {
    const tip = this.nextReq++;
    const reqId = `w${tip}`;
    const product = this.random.int(PRODUCTS);
    this.clientsWaiting.set(reqId, { product, sentAt: this.now, attempts: 0 });
    this.asked.set(reqId, { client, product, tip, answer: null });
    this.sendWrite(reqId);
  }

  private sendWrite(reqId: string): void {
    const waiting = this.clientsWaiting.get(reqId);
    const vs = this.vs;
    if (!waiting) return;
    if (!vs || vs.unwritableReason(this.vsNow()) !== null || !vs.view.primary) {
      this.gatewayAt(20, () => this.sendWrite(reqId));
      return;
    }
    const primary = vs.view.primary;
    waiting.attempts++;
    const attempt = waiting.attempts;
    this.send('router', primary, { t: 'write', epoch: vs.view.epoch, reqId, product: waiting.product });
    this.gatewayAt(CLIENT_TIMEOUT_MS, () => {
      const still = this.clientsWaiting.get(reqId);
      if (!still || still.attempts !== attempt) return;
      this.vs?.unanswered(this.vsNow(), primary, 'timeout');
      this.sendWrite(reqId);
    });
  }

  private routerReceive(msg: Msg): void {
    if (msg.t !== 'writeReply') return;
    const waiting = this.clientsWaiting.get(msg.reqId);
    if (!waiting) return;
    const primary = this.vs?.view.primary;
    if (primary) this.vs?.answered(this.vsNow(), primary);
    const asked = this.asked.get(msg.reqId);
    if (msg.outOfStock && asked) {
      asked.answer = 'out-of-stock';
    } else if (msg.seq === null || msg.hash === null || !asked) {
      this.at(10, () => this.sendWrite(msg.reqId));
      return;
    } else {
      const earlier = this.acked.get(msg.reqId);
      if (earlier && earlier.seq !== msg.seq) this.violation(`request ${msg.reqId} acknowledged at seq ${earlier.seq} and again at ${msg.seq}: applied twice`);
      this.acked.set(msg.reqId, { seq: msg.seq, hash: msg.hash, epoch: msg.epoch });
      asked.answer = 'ok';
    }
    this.clientsWaiting.delete(msg.reqId);
    // After healing, clients finish what they started: the liveness check waits for those.
    if (asked && !this.healed) this.at(this.random.int(20), () => this.clientLoop(asked.client));
  }

  // ---- replicas: the primary is the production core; the rest models replicas/replica.ts ----

  private newStoreId(): string {
    return `store-${this.storeIds++}`;
  }

  private startReplica(replica: Replica): void {
    replica.up = true;
    replica.incarnation++;
    replica.view = EMPTY_VIEWS.view;
    replica.floor = 0;
    replica.pending = [];
    replica.primary = null;
    replica.recordedStore = undefined;
    // The fence lives on disk; the broken variant keeps it only in memory.
    if (this.options.bug === 'forget-fence-on-restart') replica.disk.fencedEpoch = 0;
    const incarnation = replica.incarnation;
    const beat = () => {
      if (!replica.up || replica.incarnation !== incarnation) return;
      this.heartbeat(replica);
      if (replica.named === 'CATCHING_UP' && replica.view.primary) this.send(replica.name, replica.view.primary, { t: 'join' });
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
        role: replica.role,
        position,
      },
    });
  }

  private replicaReceive(replica: Replica, from: string, msg: Msg): void {
    switch (msg.t) {
      case 'notice':
        replica.recordedStore = msg.stores[replica.name];
        this.adopt(replica, msg.view, msg.committedSeq, msg.minReplicas);
        if (msg.addBackupAnswer) replica.primary?.joinAnswer(this.clockOf(replica), msg.view);
        return;
      case 'ship':
      case 'snapshot':
        if (this.now < replica.diskSlowUntil) {
          const incarnation = replica.incarnation;
          return this.later(replica, replica.diskDelayMs, () => {
            if (replica.up && replica.incarnation === incarnation) this.backupReceive(replica, from, msg);
          });
        }
        return this.backupReceive(replica, from, msg);
      case 'shipAck': {
        const reply = msg.ok ? { ok: true as const, position: msg.head } : { ok: false as const, code: msg.code ?? 'GAP', position: msg.head, committedSeq: msg.committedSeq };
        return replica.primary?.shipReply(this.clockOf(replica), from, msg.round, reply);
      }
      case 'write':
        return this.primaryWrite(replica, msg);
      case 'join':
        return replica.primary?.join(this.clockOf(replica), from);
      default:
        return;
    }
  }

  private adopt(replica: Replica, view: View, floor: number, minReplicas: number): void {
    replica.floor = Math.max(replica.floor, floor);
    if (view.epoch < replica.view.epoch) return;
    if (view.epoch > replica.view.epoch) replica.disk.fencedEpoch = Math.max(replica.disk.fencedEpoch, view.epoch);
    const core = replica.primary;
    replica.view = view;
    replica.minReplicas = minReplicas;
    this.noteEpoch(replica, view.epoch);
    this.reconcile(replica);
    if (this.options.bug === 'level-once' && replica.primary === core) return;
    replica.primary?.viewHeard(this.clockOf(replica), view, this.coreMinimum(minReplicas));
  }

  /** The oracle's record of the newest epoch each store has adopted (a view, or a shipment it took): it must never go back. */
  private noteEpoch(replica: Replica, epoch: number): void {
    this.epochs.set(replica.name, Math.max(this.epochs.get(replica.name) ?? 0, epoch));
  }

  /** As replicas/replica.ts reconcile, with the same decision (replicas/core/roles.ts): lead when named primary and fit to. */
  private reconcile(replica: Replica): void {
    // The broken variant forgets the commit point and the store on record: any replica named primary leads.
    const forgets = this.options.bug === 'no-commit-point';
    const { role } = wantedRole({
      name: replica.name,
      view: replica.view,
      canWrite: true,
      installingSnapshot: false,
      headSeq: replica.head.seq,
      knownCommittedSeq: forgets ? 0 : replica.knownCommitted(),
      storeId: replica.disk.storeId,
      recordedStore: forgets ? undefined : replica.recordedStore,
    });
    const lead = role === 'PRIMARY';
    if (!lead && replica.primary) {
      replica.primary.stop(this.clockOf(replica), 'no longer the primary');
      replica.primary = null;
    }
    if (lead && !replica.primary?.isLeading) this.becomePrimary(replica);
  }

  /** The minimum view size the primary's core is told of (the broken variant says 1: a lone primary commits). */
  private coreMinimum(minReplicas: number): number {
    return this.options.bug === 'commit-below-minimum' ? 1 : minReplicas;
  }

  private becomePrimary(replica: Replica): void {
    replica.pending = [];
    const incarnation = replica.incarnation;
    const core: Core = new PrimaryCore(replica.name, this.roundStore(replica), this.primarySink(replica), {
      batchOpsMax: BATCH_MAX,
      shipEntriesMax: SHIP_ENTRIES_MAX,
      shipBytesMax: Number.POSITIVE_INFINITY,
      replicationTimeoutMs: REPLICATION_TIMEOUT_MS,
      snapshotTimeoutMs: 3 * REPLICATION_TIMEOUT_MS,
      joinAnswerMs: 4 * REPLICATION_TIMEOUT_MS,
      refreshMs: HEARTBEAT_MS,
    }, { view: replica.view, minReplicas: this.coreMinimum(replica.minReplicas), committedSeq: replica.knownCommitted() });
    replica.primary = core;
    this.trace(`${replica.name} leads view ${replica.view.epoch}`);
    core.start(this.clockOf(replica));
    const tick = () => {
      if (replica.primary !== core || replica.incarnation !== incarnation || !replica.up || !core.isLeading) return;
      core.tick(this.clockOf(replica));
      this.later(replica, PRIMARY_TICK_MS, tick);
    };
    this.later(replica, PRIMARY_TICK_MS, tick);
  }

  /** The in-memory store the core runs its rounds in: the committed log on disk, the open round in memory. */
  private roundStore(replica: Replica): PrimaryStore<{ product: number }, Entry, Outcome> {
    const world = this;
    return {
      get head() {
        return replica.head;
      },
      hashAt: (seq) => replica.hashAt(seq),
      dedupedResult: (reqId) => {
        if (this.options.bug === 'no-dedupe') return null;
        const done = replica.disk.log.find((e) => e.reqId === reqId);
        return done ? { outcome: { seq: done.seq, hash: done.hash }, seq: done.seq } : null;
      },
      entriesAfter: (seq, max) => [...replica.disk.log, ...replica.pending].slice(seq, seq + max),
      begin: () => {
        if (replica.pending.length > 0) throw new InvariantBroken(`${replica.name} opened a round over an open one`);
      },
      run: (reqId, { product }, epoch) => {
        // The business rule: one unit of the product, if there is one left.
        const level = [...replica.disk.log, ...replica.pending].findLast((e) => e.product === product)?.stock ?? this.initialStock[product] ?? 0;
        if (level <= 0) return { answer: { ok: true, outcome: { outOfStock: true } }, entry: null };
        const previous = replica.head;
        const seq = previous.seq + 1;
        const stock = level - 1;
        const entry = { seq, epoch, reqId, product, stock, hash: chain(previous.hash, seq, epoch, reqId, product, stock) };
        replica.pending.push(entry);
        if (this.options.bug === 'ack-before-backups') this.send(replica.name, 'router', { t: 'writeReply', reqId, seq, hash: entry.hash, epoch: replica.view.epoch });
        return { answer: { ok: true, outcome: { seq, hash: entry.hash } }, entry };
      },
      bytes: () => 1,
      assertChained: (after, entries) => {
        let previous = after;
        for (const e of entries) {
          if (e.seq !== previous.seq + 1 || chain(previous.hash, e.seq, e.epoch, e.reqId, e.product, e.stock) !== e.hash) throw new InvariantBroken(`${replica.name} ships entry ${e.seq} that does not follow ${previous.seq}`);
          previous = e;
        }
      },
      commit: (committedSeq) => {
        const entries = replica.pending;
        replica.disk.log.push(...entries);
        replica.pending = [];
        replica.disk.committedSeq = Math.max(replica.disk.committedSeq, committedSeq);
        if (entries.length === 0) return;
        world.trace(`${replica.name} commits ${entries.map((e) => `${e.reqId}@${e.seq}`).join(',')} in epoch ${replica.view.epoch}`);
        world.commits++;
        world.checkCommit(replica, replica.view.epoch);
      },
      rollback: () => {
        replica.pending = [];
      },
      noteCommitted: (seq) => {
        replica.disk.committedSeq = Math.max(replica.disk.committedSeq, seq);
      },
    };
  }

  private primarySink(replica: Replica): PrimarySink<Entry, Outcome> {
    const from = replica.name;
    return {
      ship: (to, round, s) => this.send(from, to, { t: 'ship', epoch: s.epoch, round, after: s.after, entries: s.entries, committedSeq: s.committedSeq }),
      // A snapshot is of the committed state (the real one streams from a read transaction); what the round adds follows as entries.
      sendSnapshot: (to, round, epoch) => this.send(from, to, { t: 'snapshot', epoch, round, log: replica.disk.log.map((e) => ({ ...e })), committedSeq: replica.disk.committedSeq }),
      answer: (reqId, answer) => this.reply(replica, reqId, answer),
      report: (epoch, backup) => this.send(from, VS, { t: 'report', epoch, unreachable: backup }),
      refreshView: () => this.heartbeat(replica),
      addBackup: (epoch, backup) => this.send(from, VS, { t: 'addBackup', epoch, backup }),
      joined: (backup, view, why) => this.trace(`${from}: ${backup} ${view ? `joined view ${view.epoch}` : `did not join: ${why}`}`),
      ready: () => this.trace(`${from} ready in view ${replica.view.epoch}`),
      committed: () => undefined,
      lacksCommitted: (seq) => {
        // Named primary by a stale view: it learns what was committed and stops leading (wantedRole says it is unfit).
        this.trace(`${from} lacks committed writes up to ${seq}: steps down`);
        replica.floor = Math.max(replica.floor, seq);
        this.reconcile(replica);
      },
      storeFailed: (error) => this.violation(`${from}'s store failed: ${String(error)}`),
    };
  }

  /** A replica's monotonic clock: the simulator's time plus the jumps forward its clock has made (a VM suspended, say). */
  private clockOf(replica: Replica): number {
    return this.now + replica.clockJumpMs;
  }

  /** A replica's own timer: a paused process runs it when it wakes, not before. */
  private later(replica: Replica, delayMs: number, run: () => void): void {
    const fire = () => {
      if (this.now < replica.pausedUntil) return this.at(replica.pausedUntil - this.now, fire);
      run();
    };
    this.at(delayMs, fire);
  }

  private primaryWrite(replica: Replica, msg: Extract<Msg, { t: 'write' }>): void {
    const core = replica.primary;
    const answer = core ? core.submit(msg.reqId, msg.epoch, { product: msg.product }) : { ok: false as const };
    if (answer === null) {
      // Requests already on their way join this round (group commit), as the adapter's setImmediate does.
      this.later(replica, 0, () => {
        if (replica.primary === core) core?.pump(this.clockOf(replica));
      });
      return;
    }
    this.reply(replica, msg.reqId, answer);
  }

  /** A primary's answer to the router: an order's place, out of stock, or a refusal (the router sends it again). */
  private reply(replica: Replica, reqId: string, answer: { ok: true; outcome: Outcome } | { ok: false }): void {
    const refused = { t: 'writeReply' as const, reqId, seq: null, hash: null, epoch: 0 };
    if (!answer.ok) return this.send(replica.name, 'router', refused);
    const { outcome } = answer;
    if ('outOfStock' in outcome) return this.send(replica.name, 'router', { ...refused, outOfStock: true });
    this.send(replica.name, 'router', { t: 'writeReply', reqId, seq: outcome.seq, hash: outcome.hash, epoch: replica.view.epoch });
  }

  private backupReceive(replica: Replica, from: string, msg: Extract<Msg, { t: 'ship' } | { t: 'snapshot' }>): void {
    const answer = (ok: boolean, code?: 'STALE_EPOCH' | 'GAP' | 'DIVERGED' | 'BEHIND') =>
      this.send(replica.name, from, { t: 'shipAck', round: msg.round, ok, code, head: replica.head, committedSeq: replica.knownCommitted() });
    let verdict = epochVerdict(msg.epoch, replica.disk.fencedEpoch, replica.role, replica.view.epoch);
    if (verdict === 'stale' && this.options.bug === 'accept-old-epoch' && replica.role !== 'PRIMARY') verdict = 'take';
    if (verdict === 'stale') return answer(false, 'STALE_EPOCH');
    const adopted = this.epochs.get(replica.name) ?? 0;
    if (msg.epoch < adopted) this.violation(`${replica.name} took a shipment of epoch ${msg.epoch} after adopting epoch ${adopted}: epochs went backwards`);
    this.noteEpoch(replica, msg.epoch);
    replica.disk.fencedEpoch = Math.max(replica.disk.fencedEpoch, msg.epoch);
    if (verdict === 'take-and-step-down') {
      // A newer primary exists: this one was deposed and has not heard yet (its open round rolls back).
      replica.primary?.stop(this.clockOf(replica), `a shipment of epoch ${msg.epoch}`);
      replica.primary = null;
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
      const wipe = !this.wiped && this.random.chance(30);
      this.trace(`${wipe ? 'wipe' : 'crash'} ${replica.name}`);
      replica.up = false;
      replica.incarnation++;
      if (wipe) {
        this.wiped = true;
        replica.disk = { storeId: this.newStoreId(), log: [], committedSeq: 0, fencedEpoch: 0 };
        this.epochs.delete(replica.name);
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
    } else if (kind < 83) {
      this.trace('view service restarts');
      this.vs = null;
      this.at(this.random.between(10, 500), () => this.startViewService());
    } else if (kind < 87) {
      // The gateway stalls (a long GC, SIGSTOP): its awake clock must not blame the replicas for its own deafness.
      this.gatewayPausedUntil = this.now + this.random.between(100, 2000);
      this.trace(`gateway stalls until ${this.gatewayPausedUntil}`);
    } else if (kind < 90) {
      const replica = this.random.pick([...this.replicas.values()]);
      const ms = this.random.between(100, 3000);
      replica.clockJumpMs += ms;
      this.trace(`${replica.name}'s clock jumps ${ms} ms ahead`);
    } else if (kind < 93) {
      const replica = this.random.pick([...this.replicas.values()]);
      replica.diskDelayMs = this.random.between(20, 400);
      replica.diskSlowUntil = this.now + this.random.between(200, 2000);
      this.trace(`${replica.name}'s disk is slow (${replica.diskDelayMs} ms a write) until ${replica.diskSlowUntil}`);
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
    this.gatewayPausedUntil = 0;
    for (const replica of this.replicas.values()) {
      replica.pausedUntil = 0;
      replica.diskSlowUntil = 0;
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
      if (chain(previous, entry.seq, entry.epoch, entry.reqId, entry.product, entry.stock) !== entry.hash) return this.violation(`${replica.name}'s log breaks the hash chain at ${entry.seq}`);
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
      this.violation(`liveness: ${this.clientsWaiting.size} writes still unacknowledged ${this.options.livenessMs} ms after healing (view ${JSON.stringify(this.vs?.view)}, ${this.vs?.unwritableReason(this.vsNow()) ?? 'writable'})`);
      return;
    }
    const view = this.vs?.view;
    if (!view || 1 + view.backups.length !== this.replicas.size) {
      const heads = [...this.replicas.values()].map((r) => `${r.name}:${r.committedHead.seq}/${r.committedHead.hash}`);
      this.violation(`liveness: replicas did not converge into one view after healing (${heads.join(' ')}; view ${JSON.stringify(view)})`);
    }
    for (const replica of this.replicas.values()) this.checkHoldsAcked(replica);
    for (const v of checkHistory(this.history())) this.violation(`${v.check}: ${v.message}`);
  }

  /**
   * The run as the chaos harness records a real one (chaos/history.ts), for
   * its checker to judge the same way: every write a placeOrder of one unit
   * by its client (the tip tells orders apart), and the final state read from
   * the replicas' logs: orders lost, doubled or unasked for, stock that went
   * below zero or does not add up, replicas that differ.
   */
  private history(): History {
    const replicas = [...this.replicas.values()];
    const log = replicas[0]?.disk.log ?? [];
    const line = (product: number) => [{ productId: `p${product}`, quantity: 1 }];
    const order = (reqId: string, product: number, tip: number) => ({ id: reqId, status: 'ACTIVE' as const, tipMinor: tip, deliveryOptionId: 'standard', lines: line(product) });
    const ops: Op[] = [...this.asked].map(([reqId, a], i) => {
      const base = { id: i + 1, client: a.client, customerId: `c${a.client}`, start: 0, end: 0, type: 'placeOrder' as const, key: reqId, tipMinor: a.tip, lines: line(a.product), deliveryOptionId: 'standard', attempt: 1, replay: false };
      if (a.answer === 'ok') return { ...base, outcome: 'ok' as const, result: order(reqId, a.product, a.tip) };
      if (a.answer === 'out-of-stock') return { ...base, outcome: 'fail' as const, code: 'OUT_OF_STOCK' };
      return { ...base, outcome: 'unknown' as const };
    });
    const customerOf = (reqId: string) => `c${this.asked.get(reqId)?.client ?? 'nobody'}`;
    const tipOf = (reqId: string) => this.asked.get(reqId)?.tip ?? -1;
    const customers = Array.from({ length: this.options.clients }, (_, client) => {
      const orders = log.filter((e) => this.asked.get(e.reqId)?.client === client).map((e) => order(e.reqId, e.product, tipOf(e.reqId)));
      return { customerId: `c${client}`, client, details: null, orders, totalCount: orders.length, pages: 1 };
    });
    const seqs = Math.max(...replicas.map((r) => r.disk.log.length));
    const logConflicts: FinalState['logConflicts'] = [];
    for (let seq = 1; seq <= seqs; seq++) {
      const hashes = Object.fromEntries(replicas.flatMap((r) => (r.disk.log[seq - 1] ? [[r.name, r.disk.log[seq - 1]?.hash ?? '']] : [])));
      if (new Set(Object.values(hashes)).size > 1) logConflicts.push({ seq, hashes });
    }
    return {
      seed: this.options.seed,
      startedAt: '',
      options: { replicas: this.replicas.size },
      catalog: { products: this.initialStock.map((stock, i) => ({ id: `p${i}`, priceMinor: 100, stock })), deliveryOptions: [{ id: 'standard', costMinor: 0 }] },
      ops,
      faults: [],
      views: [],
      subscribers: [],
      crashes: [],
      problems: [],
      final: {
        customers,
        // What each product's stock is on the replica: its initial stock less the units its log sold.
        products: this.initialStock.map((stock, i) => ({ id: `p${i}`, stock: stock - log.filter((e) => e.product === i).length })),
        replicas: replicas.map((r) => ({ name: r.name, seq: r.committedHead.seq, stateHash: r.committedHead.hash })),
        log: {
          fromSeq: 1,
          headSeq: log.length,
          changes: log.map((e) => ({ seq: e.seq, type: 'orderPlaced' as const, orderId: e.reqId, customerId: customerOf(e.reqId), status: 'ACTIVE' as const, tipMinor: tipOf(e.reqId), lines: line(e.product), stock: [{ productId: `p${e.product}`, stock: e.stock }] })),
        },
        logConflicts,
        settleProblem: null,
      },
    };
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
