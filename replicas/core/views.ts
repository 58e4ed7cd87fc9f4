// The view service's decisions, with no I/O of its own: which view comes
// next, and when. Time comes in as a number (the adapter's awake clock, or
// the simulator's virtual one), durable state goes out through `persist`
// (written before anyone hears of the view it holds), new views through
// `installed`. server/view-service.ts wraps it with timers, view.json and
// HTTP; the simulator drives it directly.
//
// The rules, in one place:
// - A primary silent for suspectMs, suspected (unreachable, or unanswering),
//   restarted, back on another store (a wiped disk), or unable to write, is
//   replaced in epoch + 1 by the most up-to-date live *holder*: a member of
//   the last view that could take writes, on the store it had then, at or
//   past the highest committed seq heard of. Such a view commits nothing
//   below its minimum size, so every holder has every acknowledged write.
// - With no such holder nothing is made primary: the cluster waits and says why.
// - Backups that are silent, suspected or on another store are dropped.
// - A replica brought level by the primary is added when the primary asks.
// - After a restart, nothing is decided for two suspicion periods: replicas
//   may know a newer view than the one on disk.
import { z } from 'zod';
import { type Heartbeat, type Position, View } from '../protocol.ts';
import { invariant } from './invariant.ts';

export interface ViewsConfig {
  heartbeatMs: number;
  suspectMs: number;
  minReplicas: number;
}

/** What must survive a restart of the view service (view.json); the adapter parses the file with it. */
export const ViewsDurable = z.object({
  view: View,
  /** The highest seq any replica said was committed: no replica below it is ever made primary. */
  committedSeq: z.number().int().nonnegative(),
  /** Members of the last view that could take writes: each holds every committed write. */
  holders: z.array(z.string()),
  /** The store id each member of the view and each holder had when it was recorded. */
  stores: z.record(z.string(), z.string()),
});
export type ViewsDurable = z.infer<typeof ViewsDurable>;

export const NO_VIEW: View = { epoch: 0, primary: null, backups: [] };
export const EMPTY_VIEWS: ViewsDurable = { view: NO_VIEW, committedSeq: 0, holders: [], stores: {} };

/**
 * What a replica says in a heartbeat, as far as decisions go (the role is
 * optional for callers that drive the core by hand: a replica named primary
 * that reports another role, having heard of the view, refuses to lead).
 */
export type HeartbeatFacts = Omit<Heartbeat, 'role'> & Partial<Pick<Heartbeat, 'role'>>;

export interface Member {
  name: string;
  url: string;
  incarnation: string;
  storeId: string;
  /** On the caller's clock. */
  lastHeartbeatMs: number;
  /** When the router last had an answer from it. */
  lastAnsweredMs: number;
  position: Position;
  committedSeq: number;
  /** False while its disk refuses writes. */
  canWrite: boolean;
  rounds: { count: number; seconds: number };
  /** Set when the router or the primary could not reach it; cleared by a later heartbeat. */
  suspectedSinceMs: number | null;
  /** When it last refused to lead a view naming it primary (installing a snapshot, lacking committed writes, on another store). */
  refusedToLeadMs: number | null;
}

export interface ViewsOutput {
  /** Makes the state durable; called before `installed` for the view it holds. */
  persist(state: ViewsDurable): void;
  /** A new view is in force; `announce`: tell the members now (a learned view needs no telling). */
  installed(view: View, announce: boolean): void;
  log(level: 'info' | 'warn' | 'error', details: Record<string, unknown>, message: string): void;
}

/** How often the committed seq heard from heartbeats is written down (it is also written with every view). */
export const COMMITTED_SAVE_MS = 1000;

/** The decision tick, and the longest gap between two clock readings that counts in full. */
export const viewsTickMs = (config: Pick<ViewsConfig, 'heartbeatMs'>) => Math.max(10, Math.floor(config.heartbeatMs / 2));
export const viewsClockStepMaxMs = (config: Pick<ViewsConfig, 'heartbeatMs'>) => Math.max(config.heartbeatMs, 2 * viewsTickMs(config));

export class ViewCore {
  private state: ViewsDurable;
  private readonly members = new Map<string, Member>();
  /** The incarnation of the primary when it became primary: a restart means its round was lost. */
  private primaryIncarnation: string | null = null;
  private readonly learnUntilMs: number;
  /** Why no primary could be chosen, while that lasts (logged once per reason). */
  private stuck: string | null = null;
  private savedCommittedSeq: number;
  private committedSavedAtMs: number;

  constructor(
    private readonly config: ViewsConfig,
    durable: ViewsDurable,
    private readonly out: ViewsOutput,
    now: number,
  ) {
    if (config.heartbeatMs >= config.suspectMs) throw new Error(`heartbeatMs (${config.heartbeatMs}) must be below suspectMs (${config.suspectMs})`);
    this.state = durable;
    this.savedCommittedSeq = durable.committedSeq;
    this.committedSavedAtMs = now;
    this.learnUntilMs = now + config.suspectMs * 2;
  }

  // ---- queries ------------------------------------------------------------------------

  get view(): View {
    return this.state.view;
  }

  get committedSeq(): number {
    return this.state.committedSeq;
  }

  get holders(): readonly string[] {
    return this.state.holders;
  }

  /** The store id on record for each member of the view and each holder: a replica named primary on another store must not lead. */
  get stores(): Readonly<Record<string, string>> {
    return this.state.stores;
  }

  get minReplicas(): number {
    return this.config.minReplicas;
  }

  member(name: string): Member | undefined {
    return this.members.get(name);
  }

  allMembers(): Member[] {
    return [...this.members.values()];
  }

  learning(now: number): boolean {
    return now < this.learnUntilMs;
  }

  isLive(now: number, name: string | null): boolean {
    const member = name ? this.members.get(name) : undefined;
    return !!member && member.canWrite && member.suspectedSinceMs === null && now - member.lastHeartbeatMs <= this.config.suspectMs;
  }

  /**
   * Replicas heard from lately, suspected or not: a replica silent for less
   * than a few suspicion periods may be slow rather than gone, and the view
   * may be about to include it again.
   */
  recentlyHeard(now: number): number {
    const since = now - Math.max(2000, 4 * this.config.suspectMs);
    return this.allMembers().filter((m) => m.lastHeartbeatMs >= since).length;
  }

  /** Why the cluster cannot take writes now, in words for an operator; null when it can. */
  unwritableReason(now: number): string | null {
    if (this.learning(now)) return "the view service is learning the cluster's state after a restart";
    if (this.stuck) return this.stuck;
    const { primary, backups } = this.state.view;
    if (primary === null) return 'no primary yet: waiting for replicas to register';
    if (!this.isLive(now, primary)) return `the primary ${primary} is not answering; choosing another`;
    const size = 1 + backups.length;
    if (size < this.config.minReplicas) return `the view has ${size} of the ${this.config.minReplicas} replicas needed to take writes`;
    return null;
  }

  /** No replica can be made primary without losing committed writes. */
  isStuck(): boolean {
    return this.stuck !== null;
  }

  // ---- inputs -------------------------------------------------------------------------

  heartbeat(now: number, beat: HeartbeatFacts): void {
    const known = this.members.get(beat.name);
    this.members.set(beat.name, {
      name: beat.name,
      url: beat.url,
      incarnation: beat.incarnation,
      storeId: beat.storeId,
      lastHeartbeatMs: now,
      lastAnsweredMs: known?.incarnation === beat.incarnation ? known.lastAnsweredMs : now,
      position: beat.position,
      committedSeq: beat.committedSeq,
      canWrite: beat.canWrite,
      rounds: beat.rounds ?? { count: 0, seconds: 0 },
      suspectedSinceMs: null,
      refusedToLeadMs: known?.incarnation === beat.incarnation ? known.refusedToLeadMs : null,
    });
    const member = this.members.get(beat.name);
    // It has heard of the view that names it primary, and does not act as one.
    if (member && beat.name === this.state.view.primary && beat.view.epoch === this.state.view.epoch && beat.role !== undefined && beat.role !== 'PRIMARY') {
      if (member.refusedToLeadMs === null) this.out.log('warn', { name: beat.name, role: beat.role, epoch: beat.view.epoch }, 'the primary refuses to lead');
      member.refusedToLeadMs = now;
    }
    if (beat.committedSeq > this.state.committedSeq) this.state = { ...this.state, committedSeq: beat.committedSeq };
    if (beat.view.epoch > this.state.view.epoch) {
      this.out.log('info', { view: beat.view, from: beat.name }, 'learned a newer view from a replica');
      this.install(beat.view, 'learned');
    }
    if (beat.name === this.state.view.primary && this.primaryIncarnation === null) this.primaryIncarnation = beat.incarnation;
    if (!known || known.incarnation !== beat.incarnation) this.out.log('info', { name: beat.name, url: beat.url, storeId: beat.storeId }, 'replica registered');
    this.tick(now);
  }

  /**
   * A replica just answered a request: as good as a heartbeat for its
   * liveness (on a saturated machine heartbeats queue behind client traffic
   * and would get a busy, healthy primary suspected).
   */
  answered(now: number, name: string): void {
    const member = this.members.get(name);
    if (!member) return;
    member.lastAnsweredMs = now;
    if (member.suspectedSinceMs === null) member.lastHeartbeatMs = Math.max(member.lastHeartbeatMs, now);
  }

  /**
   * The router's call to `name` failed. A refused connection is suspected at
   * once; a timeout only when nothing the router sent has been answered for
   * a suspicion period: heartbeats may still arrive over a link that loses
   * every request (a one-way failure), and then only answers tell.
   */
  unanswered(now: number, name: string, kind: 'unreachable' | 'timeout'): void {
    const member = this.members.get(name);
    if (!member) return;
    if (kind === 'unreachable' || now - member.lastAnsweredMs > this.config.suspectMs) this.suspect(now, name);
  }

  /** The router or the primary could not reach `name`. */
  suspect(now: number, name: string): void {
    const member = this.members.get(name);
    if (!member || member.suspectedSinceMs !== null) return;
    member.suspectedSinceMs = now;
    this.out.log('warn', { name }, 'replica suspected');
    this.tick(now);
  }

  /** The primary of `epoch` reports a backup that did not answer. */
  report(now: number, epoch: number, reporter: string, unreachable: string): void {
    const { view } = this.state;
    if (epoch === view.epoch && reporter === view.primary && view.backups.includes(unreachable)) this.suspect(now, unreachable);
  }

  /**
   * The primary asks to add a replica it has brought level; false if the view
   * moved on, the replica is not live, or the primary itself is not the
   * holder on record (a wiped disk answering to its name while this view
   * service learns after a restart: what it brought level is empty).
   */
  addBackup(now: number, epoch: number, primary: string, backup: string): boolean {
    const { view } = this.state;
    if (epoch !== view.epoch || primary !== view.primary || !this.isLive(now, backup) || backup === primary) return false;
    if (this.learning(now) || this.storeChanged(primary)) return false;
    // A request that arrives late (after the primary gave up waiting and committed more) must not add a replica that lacks those commits.
    const joiner = this.members.get(backup);
    if (!joiner || joiner.position.seq < this.state.committedSeq) return false;
    if (!view.backups.includes(backup)) this.install({ epoch: view.epoch + 1, primary, backups: [...view.backups, backup] }, 'decided');
    return true;
  }

  /** Looks at who is live and changes the view when it must; writes the committed seq down now and then. */
  tick(now: number): void {
    this.saveCommittedSoon(now);
    if (this.learning(now)) return;
    const { view } = this.state;
    const primary = view.primary ? this.members.get(view.primary) : undefined;
    const primaryRestarted = !!primary && this.primaryIncarnation !== null && primary.incarnation !== this.primaryIncarnation;
    const refuses = !!primary && primary.refusedToLeadMs !== null && now - primary.refusedToLeadMs <= this.config.suspectMs;
    if (view.primary === null || primaryRestarted || refuses || !this.isLive(now, view.primary) || this.storeChanged(view.primary)) {
      if (view.primary !== null && this.stuck === null) {
        this.out.log('warn', { primary: this.whyNotLive(now, view.primary), restarted: primaryRestarted, refuses }, 'replacing the primary');
      }
      this.failOver(now, view);
      return;
    }
    this.stuck = null;
    const kept = view.backups.filter((b) => this.isLive(now, b) && !this.storeChanged(b));
    if (kept.length !== view.backups.length) {
      const dropped = view.backups.filter((b) => !kept.includes(b)).map((b) => this.whyNotLive(now, b));
      this.out.log('warn', { dropped }, 'dropping backups from the view');
      this.install({ epoch: view.epoch + 1, primary: view.primary, backups: kept }, 'decided');
    }
  }

  /** What the view service knows of a member it is about to leave out: enough to tell a dead replica from a slow one, or from a stall of its own. */
  private whyNotLive(now: number, name: string): Record<string, unknown> {
    const member = this.members.get(name);
    if (!member) return { name, known: false };
    return {
      name,
      silentMs: Math.round(now - member.lastHeartbeatMs),
      unansweredMs: Math.round(now - member.lastAnsweredMs),
      suspectedForMs: member.suspectedSinceMs === null ? null : Math.round(now - member.suspectedSinceMs),
      canWrite: member.canWrite,
      storeChanged: this.storeChanged(name),
      awakeMs: Math.round(now),
    };
  }

  // ---- decisions ----------------------------------------------------------------------

  /** A member whose store is not the one recorded for it: its disk was wiped or replaced. */
  private storeChanged(name: string): boolean {
    const member = this.members.get(name);
    const recorded = this.state.stores[name];
    return !!member && recorded !== undefined && member.storeId !== recorded;
  }

  /**
   * Makes primary the most up-to-date live holder: it holds every
   * acknowledged write. With none, nothing changes and the cluster says why:
   * starting over from a replica that lacks them would erase them everywhere.
   */
  private failOver(now: number, view: View): void {
    const pool = this.candidatePool(view);
    const candidates = pool
      .filter((name) => this.isLive(now, name))
      .map((name) => this.members.get(name))
      .filter((m): m is Member => !!m && this.holdsEverything(m))
      .sort((a, b) => b.position.seq - a.position.seq || Number(a.name === view.primary) - Number(b.name === view.primary) || a.name.localeCompare(b.name));
    const chosen = candidates[0];
    if (!chosen) {
      const reason = this.noHolderReason(now, pool);
      // A primary whose disk was wiped must not lead anyone meanwhile: the view goes without one.
      if (view.primary !== null && this.storeChanged(view.primary)) this.install({ epoch: view.epoch + 1, primary: null, backups: [] }, 'decided');
      if (reason !== this.stuck) this.out.log('error', { committedSeq: this.state.committedSeq, holders: this.state.holders }, `cannot choose a primary: ${reason}`);
      this.stuck = reason;
      return;
    }
    // In a cluster that never took writes the others join by catching up; otherwise the other holders stay on as backups.
    const backups = pool === this.state.holders ? candidates.slice(1).map((m) => m.name) : [];
    this.out.log('warn', { from: view.primary, to: chosen.name, epoch: view.epoch + 1, committedSeq: this.state.committedSeq }, view.epoch === 0 ? 'first primary' : 'failover');
    this.install({ epoch: view.epoch + 1, primary: chosen.name, backups }, 'decided');
  }

  /**
   * Who may be made primary: the holders; before any view could take writes
   * (nothing is committed yet), any member. (The simulator breaks this on purpose.)
   */
  protected candidatePool(view: View): readonly string[] {
    return view.epoch === 0 || this.state.holders.length === 0 ? [...this.members.keys()] : this.state.holders;
  }

  /** A candidate on the store it was recorded with, at or past the committed seq. (The simulator breaks this on purpose.) */
  protected holdsEverything(member: Member): boolean {
    return !this.storeChanged(member.name) && member.position.seq >= this.state.committedSeq && !this.refusedLately(member);
  }

  /** One that refused to lead is not asked again for a while (it may be installing a snapshot). */
  private refusedLately(member: Member): boolean {
    return member.refusedToLeadMs !== null && member.lastHeartbeatMs - member.refusedToLeadMs <= 4 * this.config.suspectMs;
  }

  private noHolderReason(now: number, pool: readonly string[]): string {
    if (pool.length === 0) return 'no replica has registered yet';
    const missing = pool.map((name) => {
      const member = this.members.get(name);
      if (member && !member.canWrite) return `${name} cannot write to its disk`;
      if (!member || !this.isLive(now, name)) return `${name} is down`;
      if (this.storeChanged(name)) return `${name} came back with an empty or different disk`;
      return `${name} holds only up to seq ${member.position.seq}`;
    });
    return `no live replica holds every committed write (up to seq ${this.state.committedSeq}): ${missing.join('; ')}. Waiting for one of ${pool.join(', ')} to come back with its data.`;
  }

  /** `learned`: heard from a replica (the members already know it; a view service that lost its file trusts its members as holders). */
  private install(view: View, how: 'decided' | 'learned'): void {
    const previous = this.state;
    // A broken invariant here would hand two primaries one epoch: stop instead.
    invariant(view.epoch > previous.view.epoch, `view epoch ${view.epoch} does not follow ${previous.view.epoch}`);
    invariant(view.primary === null || !view.backups.includes(view.primary), `${view.primary} is its own backup in epoch ${view.epoch}`);
    const members = view.primary ? [view.primary, ...view.backups] : [];
    const known = (name: string) => this.members.get(name)?.storeId ?? previous.stores[name];
    const stores: Record<string, string | undefined> = {};
    let holders = previous.holders;
    // A learned view whose holders were never recorded here: its members are the best knowledge there is.
    if (members.length >= this.config.minReplicas || (how === 'learned' && holders.length === 0)) {
      // Every member of a view that can take writes was checked on its way in: its store now holds the data.
      holders = members;
      for (const name of members) stores[name] = known(name);
    } else {
      // A holder keeps the store it was recorded with: a wiped one must not become a holder again by coming back.
      for (const name of holders) stores[name] = previous.stores[name];
      for (const name of members) stores[name] ??= known(name);
    }
    const next: ViewsDurable = {
      view,
      committedSeq: previous.committedSeq,
      holders,
      stores: Object.fromEntries(Object.entries(stores).filter((e): e is [string, string] => e[1] !== undefined)),
    };
    // Written down before it is in force: a view that could not be saved is never handed out.
    this.out.persist(next);
    this.state = next;
    this.stuck = null;
    this.savedCommittedSeq = this.state.committedSeq;
    this.primaryIncarnation = view.primary ? this.members.get(view.primary)?.incarnation ?? null : null;
    this.out.log('info', { view, holders, committedSeq: this.state.committedSeq }, 'view installed');
    this.out.installed(view, how === 'decided');
  }

  /** The committed seq moves with every round: written down at most once a COMMITTED_SAVE_MS. */
  private saveCommittedSoon(now: number): void {
    if (this.state.committedSeq === this.savedCommittedSeq || now - this.committedSavedAtMs < COMMITTED_SAVE_MS) return;
    this.out.persist(this.state);
    this.savedCommittedSeq = this.state.committedSeq;
    this.committedSavedAtMs = now;
  }
}
