// The view service: the one place that decides views. Replicas register by
// heartbeat; a silent or unreachable primary is replaced by the most
// up-to-date replica that provably holds every committed write; silent
// backups are dropped; caught-up replicas are added when their primary asks.
// What it must never forget is written to DATA/view.json before anyone hears
// of it: the view, the highest committed seq it has heard of, and the
// holders (the members of the last view that could take writes, with their
// store ids: a wiped disk is not a holder). Silence is measured on an awake
// clock, so its own stalls never count against a replica.
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { callPeer, describe } from '../replicas/http.ts';
import { type Heartbeat, type Position, type View, type ViewNotice, View as ViewSchema } from '../replicas/protocol.ts';
import { AwakeClock } from './awake-clock.ts';
import type { ClusterInfo, ReplicaInfo, ReplicaRole, ReplicaStatusEvent } from './services.ts';
import { z } from 'zod';

export interface ViewServiceConfig {
  viewFile: string;
  secret: string;
  heartbeatMs: number;
  suspectMs: number;
  minReplicas: number;
  log: Logger;
}

interface Member {
  name: string;
  url: string;
  incarnation: string;
  storeId: string;
  /** On the awake clock. */
  lastHeartbeatMs: number;
  lastHeartbeatAt: string;
  /** When the router last had an answer from it (awake clock). */
  lastAnsweredMs: number;
  position: Position;
  committedSeq: number;
  /** False while its disk refuses writes. */
  canWrite: boolean;
  rounds: { count: number; seconds: number };
  /** Set when the router or the primary could not reach it; cleared by a later heartbeat. */
  suspectedSinceMs: number | null;
}

export interface ViewServiceEvents {
  view: [View];
  replicaStatus: [ReplicaStatusEvent];
}

const NO_VIEW: View = { epoch: 0, primary: null, backups: [] };

/** What view.json holds. */
const ViewState = z.object({
  view: ViewSchema,
  /** The highest seq any replica said was committed: no replica below it is ever made primary. */
  committedSeq: z.number().int().nonnegative(),
  /** Members of the last view that could take writes: each holds every committed write. */
  holders: z.array(z.string()),
  /** The store id each member of the view and each holder had when it was recorded. */
  stores: z.record(z.string(), z.string()),
});
type ViewState = z.infer<typeof ViewState>;

/** How often the committed seq heard from heartbeats is written down (it is also written with every view). */
const COMMITTED_SAVE_MS = 1000;

export class ViewService extends EventEmitter<ViewServiceEvents> {
  private view: View;
  private committedSeq: number;
  private holders: string[];
  private stores: Record<string, string>;
  private readonly members = new Map<string, Member>();
  /** The incarnation of the primary when it became primary: a restart means its round was lost. */
  private primaryIncarnation: string | null = null;
  private readonly clock: AwakeClock;
  private readonly learnUntilMs: number;
  private readonly roles = new Map<string, ReplicaRole>();
  private timer: NodeJS.Timeout | null = null;
  /** Why no primary could be chosen, while that lasts (logged once per reason). */
  private stuck: string | null = null;
  private savedCommittedSeq: number;
  private committedSavedAtMs = 0;

  constructor(private readonly config: ViewServiceConfig) {
    super();
    const state = loadState(config.viewFile);
    this.view = state.view;
    this.committedSeq = state.committedSeq;
    this.savedCommittedSeq = state.committedSeq;
    this.holders = state.holders;
    this.stores = state.stores;
    this.clock = new AwakeClock(Math.max(config.heartbeatMs, 2 * tickMs(config)));
    // After a restart, listen before deciding: replicas may know a newer view.
    this.learnUntilMs = this.clock.now() + config.suspectMs * 2;
  }

  start(): void {
    this.timer = setInterval(() => this.decide(), tickMs(this.config));
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  current(): View {
    return this.view;
  }

  notice(): ViewNotice {
    const urls: Record<string, string> = {};
    for (const member of this.members.values()) urls[member.name] = member.url;
    return { view: this.view, urls, minReplicas: this.config.minReplicas, committedSeq: this.committedSeq };
  }

  isLive(name: string | null): boolean {
    const member = name ? this.members.get(name) : undefined;
    return !!member && member.canWrite && member.suspectedSinceMs === null && this.clock.now() - member.lastHeartbeatMs <= this.config.suspectMs;
  }

  /**
   * Replicas heard from lately, suspected or not: a replica silent for less
   * than a few suspicion periods may be slow rather than gone, and the view
   * may be about to include it again.
   */
  recentlyHeard(): number {
    const since = this.clock.now() - Math.max(2000, 4 * this.config.suspectMs);
    return [...this.members.values()].filter((m) => m.lastHeartbeatMs >= since).length;
  }

  /**
   * A replica just answered a request: as good as a heartbeat for its
   * liveness (on a saturated machine heartbeats queue behind client traffic
   * and would get a busy, healthy primary suspected).
   */
  answered(name: string): void {
    const member = this.members.get(name);
    if (!member) return;
    const now = this.clock.now();
    member.lastAnsweredMs = now;
    if (member.suspectedSinceMs === null) member.lastHeartbeatMs = Math.max(member.lastHeartbeatMs, now);
  }

  /**
   * The router's call to `name` failed. A refused connection is suspected at
   * once; a timeout only when nothing the router sent has been answered for
   * a suspicion period: heartbeats may still arrive over a link that loses
   * every request (a one-way failure), and then only answers tell.
   */
  unanswered(name: string, kind: 'unreachable' | 'timeout'): void {
    const member = this.members.get(name);
    if (!member) return;
    if (kind === 'unreachable' || this.clock.now() - member.lastAnsweredMs > this.config.suspectMs) this.suspect(name);
  }

  /** Writes need a live primary that holds every committed write, and enough members in the view. */
  writable(): boolean {
    return this.unwritableReason() === null;
  }

  /** Why the cluster cannot take writes now, in words for an operator; null when it can. */
  unwritableReason(): string | null {
    if (this.learning()) return 'the view service is learning the cluster\'s state after a restart';
    if (this.stuck) return this.stuck;
    const { primary, backups } = this.view;
    if (primary === null) return 'no primary yet: waiting for replicas to register';
    if (!this.isLive(primary)) return `the primary ${primary} is not answering; choosing another`;
    const size = 1 + backups.length;
    if (size < this.config.minReplicas) return `the view has ${size} of the ${this.config.minReplicas} replicas needed to take writes`;
    return null;
  }

  /** No replica can be made primary without losing committed writes: waiting is the only safe move. */
  isStuck(): boolean {
    return this.stuck !== null;
  }

  /** Replication rounds per replica, from their heartbeats. */
  roundStats(): Map<string, { count: number; seconds: number }> {
    return new Map([...this.members.values()].map((m) => [m.name, m.rounds]));
  }

  get minReplicas(): number {
    return this.config.minReplicas;
  }

  primaryUrl(): string | null {
    return this.view.primary ? this.members.get(this.view.primary)?.url ?? null : null;
  }

  learning(): boolean {
    return this.clock.now() < this.learnUntilMs;
  }

  heartbeat(beat: Heartbeat): ViewNotice {
    const now = this.clock.now();
    const known = this.members.get(beat.name);
    this.members.set(beat.name, {
      name: beat.name,
      url: beat.url,
      incarnation: beat.incarnation,
      storeId: beat.storeId,
      lastHeartbeatMs: now,
      lastHeartbeatAt: new Date().toISOString(),
      lastAnsweredMs: known?.incarnation === beat.incarnation ? known.lastAnsweredMs : now,
      position: beat.position,
      committedSeq: beat.committedSeq,
      canWrite: beat.canWrite,
      rounds: beat.rounds ?? { count: 0, seconds: 0 },
      suspectedSinceMs: null,
    });
    if (beat.committedSeq > this.committedSeq) this.committedSeq = beat.committedSeq;
    if (beat.view.epoch > this.view.epoch) {
      this.config.log.info({ view: beat.view, from: beat.name }, 'learned a newer view from a replica');
      this.install(beat.view, false);
    }
    if (beat.name === this.view.primary && this.primaryIncarnation === null) this.primaryIncarnation = beat.incarnation;
    if (!known || known.incarnation !== beat.incarnation) this.config.log.info({ name: beat.name, url: beat.url, storeId: beat.storeId }, 'replica registered');
    this.decide();
    return this.notice();
  }

  /** The router or the primary could not reach `name`. */
  suspect(name: string): void {
    const member = this.members.get(name);
    if (!member || member.suspectedSinceMs !== null) return;
    member.suspectedSinceMs = this.clock.now();
    this.config.log.warn({ name }, 'replica suspected');
    this.decide();
  }

  /** The primary of `epoch` reports a backup that did not answer. */
  report(epoch: number, reporter: string, unreachable: string): ViewNotice {
    if (epoch === this.view.epoch && reporter === this.view.primary && this.view.backups.includes(unreachable)) this.suspect(unreachable);
    return this.notice();
  }

  /** The primary asks to add a replica it has brought level. */
  addBackup(epoch: number, primary: string, backup: string): ViewNotice | null {
    const view = this.view;
    if (epoch !== view.epoch || primary !== view.primary || !this.isLive(backup) || backup === primary) return null;
    if (!view.backups.includes(backup)) this.install({ epoch: view.epoch + 1, primary, backups: [...view.backups, backup] });
    return this.notice();
  }

  cluster(): ClusterInfo {
    const replicas = [...this.members.values()].sort((a, b) => a.name.localeCompare(b.name)).map((m) => this.info(m));
    const unwritableReason = this.unwritableReason();
    return {
      epoch: this.view.epoch,
      writable: unwritableReason === null,
      unwritableReason,
      primary: replicas.find((r) => r.role === 'PRIMARY') ?? null,
      replicas,
    };
  }

  private info(member: Member): ReplicaInfo {
    return {
      name: member.name,
      url: member.url,
      role: this.roleOf(member.name),
      appliedSeq: member.position.seq,
      lastHeartbeatAt: member.lastHeartbeatAt,
    };
  }

  private roleOf(name: string): ReplicaRole {
    if (!this.isLive(name)) return 'OFFLINE';
    if (this.view.primary === name) return 'PRIMARY';
    return this.view.backups.includes(name) ? 'BACKUP' : 'CATCHING_UP';
  }

  /** A member whose store is not the one recorded for it: its disk was wiped or replaced. */
  private storeChanged(name: string): boolean {
    const member = this.members.get(name);
    const recorded = this.stores[name];
    return !!member && recorded !== undefined && member.storeId !== recorded;
  }

  /** Looks at who is live and changes the view when it must. */
  private decide(): void {
    this.publishRoleChanges();
    this.saveCommittedSoon();
    if (this.learning()) return;
    const view = this.view;
    const primary = view.primary ? this.members.get(view.primary) : undefined;
    const primaryRestarted = !!primary && this.primaryIncarnation !== null && primary.incarnation !== this.primaryIncarnation;
    if (view.primary === null || primaryRestarted || !this.isLive(view.primary) || this.storeChanged(view.primary)) {
      this.failOver(view);
      return;
    }
    this.stuck = null;
    const kept = view.backups.filter((b) => this.isLive(b) && !this.storeChanged(b));
    if (kept.length !== view.backups.length) this.install({ epoch: view.epoch + 1, primary: view.primary, backups: kept });
  }

  /**
   * Makes primary the most up-to-date live holder (a member of the last view
   * that could take writes, on the same store, at or past the committed seq):
   * it holds every acknowledged write. With none, nothing changes and the
   * cluster says why: starting over from a replica that lacks them would
   * erase them everywhere.
   */
  private failOver(view: View): void {
    const pool = view.epoch === 0 ? [...this.members.keys()] : this.holders;
    const candidates = pool
      .filter((name) => this.isLive(name) && !this.storeChanged(name))
      .map((name) => this.members.get(name))
      .filter((m): m is Member => !!m && m.position.seq >= this.committedSeq)
      .sort((a, b) => b.position.seq - a.position.seq || Number(a.name === view.primary) - Number(b.name === view.primary) || a.name.localeCompare(b.name));
    const chosen = candidates[0];
    if (!chosen) {
      const reason = this.noHolderReason(pool);
      // A primary whose disk was wiped must not lead anyone meanwhile: the view goes without one.
      if (view.primary !== null && this.storeChanged(view.primary)) this.install({ epoch: view.epoch + 1, primary: null, backups: [] });
      this.setStuck(reason);
      return;
    }
    const backups = view.epoch === 0 ? [] : candidates.slice(1).map((m) => m.name);
    this.config.log.warn({ from: view.primary, to: chosen.name, epoch: view.epoch + 1, committedSeq: this.committedSeq }, view.epoch === 0 ? 'first primary' : 'failover');
    this.install({ epoch: view.epoch + 1, primary: chosen.name, backups });
  }

  private noHolderReason(pool: string[]): string {
    if (pool.length === 0) return 'no replica has registered yet';
    const missing = pool.map((name) => {
      const member = this.members.get(name);
      if (member && !member.canWrite) return `${name} cannot write to its disk`;
      if (!member || !this.isLive(name)) return `${name} is down`;
      if (this.storeChanged(name)) return `${name} came back with an empty or different disk`;
      return `${name} holds only up to seq ${member.position.seq}`;
    });
    return `no live replica holds every committed write (up to seq ${this.committedSeq}): ${missing.join('; ')}. Waiting for one of ${pool.join(', ')} to come back with its data.`;
  }

  private setStuck(reason: string): void {
    if (reason !== this.stuck) this.config.log.error({ committedSeq: this.committedSeq, holders: this.holders }, `cannot choose a primary: ${reason}`);
    this.stuck = reason;
  }

  private install(view: View, announce = true): void {
    if (view.epoch <= this.view.epoch) throw new Error(`invariant broken: view epoch ${view.epoch} does not follow ${this.view.epoch}`);
    if (view.primary !== null && view.backups.includes(view.primary)) throw new Error(`invariant broken: ${view.primary} is its own backup in epoch ${view.epoch}`);
    const members = view.primary ? [view.primary, ...view.backups] : [];
    const known = (name: string) => this.members.get(name)?.storeId ?? this.stores[name];
    const stores: Record<string, string | undefined> = {};
    // A learned view whose holders were never recorded here: its members are the best knowledge there is.
    if (members.length >= this.config.minReplicas || this.holders.length === 0) {
      // Every member of a view that can take writes was checked on its way in: its store now holds the data.
      this.holders = members;
      for (const name of members) stores[name] = known(name);
    } else {
      // A holder keeps the store it was recorded with: a wiped one must not become a holder again by coming back.
      for (const name of this.holders) stores[name] = this.stores[name];
      for (const name of members) stores[name] ??= known(name);
    }
    this.stores = Object.fromEntries(Object.entries(stores).filter((e): e is [string, string] => e[1] !== undefined));
    this.view = view;
    this.stuck = null;
    this.save();
    this.primaryIncarnation = view.primary ? this.members.get(view.primary)?.incarnation ?? null : null;
    this.config.log.info({ view, holders: this.holders, committedSeq: this.committedSeq }, 'view installed');
    this.emit('view', view);
    this.publishRoleChanges();
    if (announce) this.announce();
  }

  private save(): void {
    saveState(this.config.viewFile, { view: this.view, committedSeq: this.committedSeq, holders: this.holders, stores: this.stores });
    this.savedCommittedSeq = this.committedSeq;
    this.committedSavedAtMs = this.clock.now();
  }

  /** The committed seq moves with every round: written down at most once a COMMITTED_SAVE_MS. */
  private saveCommittedSoon(): void {
    if (this.committedSeq !== this.savedCommittedSeq && this.clock.now() - this.committedSavedAtMs >= COMMITTED_SAVE_MS) this.save();
  }

  /** Tells every member at once rather than waiting for its next heartbeat. */
  private announce(): void {
    const notice = this.notice();
    for (const member of this.members.values()) {
      if (!this.isLive(member.name)) continue;
      callPeer(member.url, '/view', notice, { secret: this.config.secret, timeoutMs: 1000, response: z.unknown() }).catch((error) =>
        this.config.log.debug({ name: member.name, err: describe(error) }, 'view push failed'),
      );
    }
  }

  private publishRoleChanges(): void {
    for (const member of this.members.values()) {
      const role = this.roleOf(member.name);
      const previous = this.roles.get(member.name) ?? null;
      if (previous === role) continue;
      this.roles.set(member.name, role);
      this.emit('replicaStatus', { replica: this.info(member), previousRole: previous, epoch: this.view.epoch, at: new Date().toISOString() });
    }
  }
}

const tickMs = (config: Pick<ViewServiceConfig, 'heartbeatMs'>) => Math.max(10, Math.floor(config.heartbeatMs / 2));

function loadState(file: string): ViewState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { view: NO_VIEW, committedSeq: 0, holders: [], stores: {} };
    throw error;
  }
  const json: unknown = JSON.parse(text);
  const state = ViewState.safeParse(json);
  if (state.success) return state.data;
  // The first format held the view alone.
  const view = ViewSchema.safeParse(json);
  if (view.success) return { view: view.data, committedSeq: 0, holders: view.data.primary ? [view.data.primary, ...view.data.backups] : [], stores: {} };
  throw new Error(`${file} is not a view: ${state.error.message.slice(0, 300)}`);
}

/** Durable and atomic: a crash leaves the old state or the new one, never half. */
function saveState(file: string, state: ViewState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(state));
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
