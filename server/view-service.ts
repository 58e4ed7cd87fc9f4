// The view service: the one place that decides views. Replicas register by
// heartbeat; a silent or unreachable primary is replaced by the most
// up-to-date live member of the current view; silent backups are dropped;
// caught-up replicas are added when their primary asks. Each view is written
// to DATA/view.json before anyone hears of it.
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { callPeer, describe } from '../replicas/http.ts';
import { type Heartbeat, type Position, type View, type ViewNotice, View as ViewSchema } from '../replicas/protocol.ts';
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
  lastHeartbeatMs: number;
  lastHeartbeatAt: string;
  position: Position;
  rounds: { count: number; seconds: number };
  /** Set when the router or the primary could not reach it; cleared by a later heartbeat. */
  suspectedSinceMs: number | null;
}

export interface ViewServiceEvents {
  view: [View];
  replicaStatus: [ReplicaStatusEvent];
}

const NO_VIEW: View = { epoch: 0, primary: null, backups: [] };

export class ViewService extends EventEmitter<ViewServiceEvents> {
  private view: View;
  private readonly members = new Map<string, Member>();
  /** The incarnation of the primary when it became primary: a restart means its round was lost. */
  private primaryIncarnation: string | null = null;
  private readonly learnUntilMs: number;
  private readonly roles = new Map<string, ReplicaRole>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly config: ViewServiceConfig) {
    super();
    this.view = loadView(config.viewFile);
    // After a restart, listen before deciding: replicas may know a newer view.
    this.learnUntilMs = Date.now() + config.suspectMs * 2;
  }

  start(): void {
    this.timer = setInterval(() => this.decide(), Math.max(10, Math.floor(this.config.heartbeatMs / 2)));
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
    return { view: this.view, urls, minReplicas: this.config.minReplicas };
  }

  isLive(name: string | null): boolean {
    const member = name ? this.members.get(name) : undefined;
    return !!member && member.suspectedSinceMs === null && Date.now() - member.lastHeartbeatMs <= this.config.suspectMs;
  }

  /**
   * Replicas heard from lately, suspected or not: a replica silent for less
   * than a few suspicion periods may be slow rather than gone, and the view
   * may be about to include it again.
   */
  recentlyHeard(): number {
    const since = Date.now() - Math.max(2000, 4 * this.config.suspectMs);
    return [...this.members.values()].filter((m) => m.lastHeartbeatMs >= since).length;
  }

  /**
   * A replica just answered a request: as good as a heartbeat for its
   * liveness (on a saturated machine heartbeats queue behind client traffic
   * and would get a busy, healthy primary suspected).
   */
  answered(name: string): void {
    const member = this.members.get(name);
    if (member && member.suspectedSinceMs === null) member.lastHeartbeatMs = Math.max(member.lastHeartbeatMs, Date.now());
  }

  /** Writes need a live primary and enough members in the view. */
  writable(): boolean {
    return !this.learning() && this.isLive(this.view.primary) && 1 + this.view.backups.length >= this.config.minReplicas;
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
    return Date.now() < this.learnUntilMs;
  }

  heartbeat(beat: Heartbeat): ViewNotice {
    const now = Date.now();
    const known = this.members.get(beat.name);
    this.members.set(beat.name, {
      name: beat.name,
      url: beat.url,
      incarnation: beat.incarnation,
      lastHeartbeatMs: now,
      lastHeartbeatAt: new Date(now).toISOString(),
      position: beat.position,
      rounds: beat.rounds ?? { count: 0, seconds: 0 },
      suspectedSinceMs: null,
    });
    if (beat.view.epoch > this.view.epoch) {
      this.config.log.info({ view: beat.view, from: beat.name }, 'learned a newer view from a replica');
      this.install(beat.view, false);
    }
    if (beat.name === this.view.primary && this.primaryIncarnation === null) this.primaryIncarnation = beat.incarnation;
    if (!known || known.incarnation !== beat.incarnation) this.config.log.info({ name: beat.name, url: beat.url }, 'replica registered');
    this.decide();
    return this.notice();
  }

  /** The router or the primary could not reach `name`. */
  suspect(name: string): void {
    const member = this.members.get(name);
    if (!member || member.suspectedSinceMs !== null) return;
    member.suspectedSinceMs = Date.now();
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
    return {
      epoch: this.view.epoch,
      writable: this.writable(),
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

  /** Looks at who is live and changes the view when it must. */
  private decide(): void {
    this.publishRoleChanges();
    if (this.learning()) return;
    const view = this.view;
    const primary = view.primary ? this.members.get(view.primary) : undefined;
    const primaryRestarted = !!primary && this.primaryIncarnation !== null && primary.incarnation !== this.primaryIncarnation;
    if (view.primary === null || primaryRestarted || !this.isLive(view.primary)) {
      this.failOver(view, primaryRestarted);
      return;
    }
    const live = view.backups.filter((b) => this.isLive(b));
    if (live.length !== view.backups.length) this.install({ epoch: view.epoch + 1, primary: view.primary, backups: live });
  }

  private failOver(view: View, primaryRestarted: boolean): void {
    // Only members of the current view hold every acknowledged write; a
    // restarted primary still holds them on disk, so it may be chosen again.
    const members = view.epoch === 0 ? [...this.members.keys()] : [...view.backups, ...(primaryRestarted && view.primary ? [view.primary] : [])];
    const candidates = members
      .filter((name) => this.isLive(name))
      .map((name) => this.members.get(name))
      .filter((m): m is Member => !!m)
      .sort((a, b) => b.position.seq - a.position.seq || Number(a.name === view.primary) - Number(b.name === view.primary) || a.name.localeCompare(b.name));
    const chosen = candidates[0];
    if (!chosen) return;
    const backups = view.epoch === 0 ? [] : candidates.slice(1).map((m) => m.name);
    this.config.log.warn({ from: view.primary, to: chosen.name, epoch: view.epoch + 1 }, view.epoch === 0 ? 'first primary' : 'failover');
    this.install({ epoch: view.epoch + 1, primary: chosen.name, backups });
  }

  private install(view: View, announce = true): void {
    saveView(this.config.viewFile, view);
    this.view = view;
    this.primaryIncarnation = view.primary ? this.members.get(view.primary)?.incarnation ?? null : null;
    this.config.log.info({ view }, 'view installed');
    this.emit('view', view);
    this.publishRoleChanges();
    if (announce) this.announce();
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

function loadView(file: string): View {
  try {
    return ViewSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return NO_VIEW;
    throw new Error(`${file} is not a view: ${describe(error)}`);
  }
}

/** Durable and atomic: a crash leaves the old view or the new one, never half. */
function saveView(file: string, view: View): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(view));
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
