// The view service in the gateway process: the decisions live in
// replicas/core/views.ts; this adapter gives them time (an awake clock that
// stops while this process is stalled, so its own pauses never count as a
// replica's silence), a timer, durability (DATA/view.json, written before
// anyone hears of a view), HTTP pushes of new views to the replicas, and the
// events and role names the GraphQL layer shows.
import { EventEmitter } from 'node:events';
import { readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { PRIVATE_FILE_MODE, privateDir, privateFile } from '../replicas/private-files.ts';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AwakeClock } from '../replicas/core/awake-clock.ts';
import { EMPTY_VIEWS, type Member, ViewCore, ViewsDurable, viewsClockStepMaxMs, viewsTickMs } from '../replicas/core/views.ts';
import { callPeer, describe } from '../replicas/http.ts';
import { fatalIfBroken } from '../replicas/fatal.ts';
import { type Heartbeat, type View, type ViewNotice, View as ViewSchema } from '../replicas/protocol.ts';
import type { ClusterInfo, ReplicaInfo, ReplicaRole, ReplicaStatusEvent } from '../schema/services.ts';

export interface ViewServiceConfig {
  viewFile: string;
  secret: string;
  heartbeatMs: number;
  suspectMs: number;
  minReplicas: number;
  log: Logger;
}

export interface ViewServiceEvents {
  /** A new view; or the same view again when the cluster became ready under it (the catalogue arrived). */
  view: [View];
  replicaStatus: [ReplicaStatusEvent];
}

/** What an order needs beyond a writable view: a menu. The gateway loads it with a write, so only once the view can take writes. */
type CatalogueState = 'NOT_LOADED' | 'IN_PLACE';

export class ViewService extends EventEmitter<ViewServiceEvents> {
  private readonly core: ViewCore;
  private readonly clock: AwakeClock;
  private readonly roles = new Map<string, ReplicaRole>();
  /** When each member last heartbeated, on the wall clock, for people to read. */
  private readonly heardAt = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private catalogue: CatalogueState = 'NOT_LOADED';

  constructor(private readonly config: ViewServiceConfig) {
    super();
    this.clock = new AwakeClock(viewsClockStepMaxMs(config), () => performance.now());
    const { log } = config;
    this.core = new ViewCore(config, loadState(config.viewFile), {
      persist: (state) => saveState(config.viewFile, state),
      installed: (view, announce) => {
        this.emit('view', view);
        this.publishRoleChanges();
        if (announce) this.announce();
      },
      log: (level, details, message) => log[level](details, message),
    }, this.clock.now());
  }

  start(): void {
    this.timer = setInterval(() => this.decide(), viewsTickMs(this.config));
  }
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  current(): View {
    return this.core.view;
  }

  notice(): ViewNotice {
    const urls: Record<string, string> = {};
    for (const member of this.core.allMembers()) urls[member.name] = member.url;
    return { view: this.core.view, urls, minReplicas: this.config.minReplicas, committedSeq: this.core.committedSeq, stores: { ...this.core.stores } };
  }

  isLive(name: string | null): boolean {
    return this.core.isLive(this.clock.now(), name);
  }

  recentlyHeard(): number {
    return this.core.recentlyHeard(this.clock.now());
  }

  answered(name: string): void {
    this.core.answered(this.clock.now(), name);
  }

  unanswered(name: string, kind: 'unreachable' | 'timeout'): void {
    this.core.unanswered(this.clock.now(), name, kind);
    this.publishRoleChanges();
  }

  /** Whether the view can take writes: the router's test (the catalogue's own write needs it). Readiness for orders is `notReadyReason`. */
  writable(): boolean {
    return this.unwritableReason() === null;
  }

  unwritableReason(): string | null {
    return this.core.unwritableReason(this.clock.now());
  }

  /**
   * Why the cluster cannot take an order now, in words for an operator; null
   * when it can: the view's reason, else the catalogue's. The one answer behind
   * `/readyz`, `cluster { writable unwritableReason }` and the cluster feed.
   */
  notReadyReason(): string | null {
    return this.unwritableReason() ?? (this.catalogue === 'IN_PLACE' ? null : 'the catalogue is not loaded yet');
  }

  /** The cluster holds a catalogue (the gateway's loading write was acknowledged); it never loses it. */
  catalogueInPlace(): void {
    if (this.catalogue === 'IN_PLACE') return;
    this.catalogue = 'IN_PLACE';
    // The view is unchanged but the cluster may have just become ready: the cluster feed must hear it.
    this.emit('view', this.core.view);
  }

  isStuck(): boolean {
    return this.core.isStuck();
  }

  /** Replication rounds per replica, from their heartbeats. */
  roundStats(): Map<string, { count: number; seconds: number }> {
    return new Map(this.core.allMembers().map((m) => [m.name, m.rounds]));
  }

  get minReplicas(): number {
    return this.config.minReplicas;
  }

  primaryUrl(): string | null {
    const { primary } = this.core.view;
    return primary ? this.core.member(primary)?.url ?? null : null;
  }

  learning(): boolean {
    return this.core.learning(this.clock.now());
  }

  heartbeat(beat: Heartbeat): ViewNotice {
    this.heardAt.set(beat.name, new Date().toISOString());
    this.core.heartbeat(this.clock.now(), beat);
    this.publishRoleChanges();
    return this.notice();
  }

  suspect(name: string): void {
    this.core.suspect(this.clock.now(), name);
    this.publishRoleChanges();
  }

  report(epoch: number, reporter: string, unreachable: string): ViewNotice {
    this.core.report(this.clock.now(), epoch, reporter, unreachable);
    this.publishRoleChanges();
    return this.notice();
  }

  addBackup(epoch: number, primary: string, backup: string): ViewNotice | null {
    return this.core.addBackup(this.clock.now(), epoch, primary, backup) ? this.notice() : null;
  }

  cluster(): ClusterInfo {
    const replicas = this.core.allMembers().sort((a, b) => a.name.localeCompare(b.name)).map((m) => this.info(m));
    const unwritableReason = this.notReadyReason();
    return {
      epoch: this.core.view.epoch,
      writable: unwritableReason === null,
      unwritableReason,
      primary: replicas.find((r) => r.role === 'PRIMARY') ?? null,
      replicas,
    };
  }

  private decide(): void {
    try {
      this.core.tick(this.clock.now());
    } catch (error) {
      fatalIfBroken(this.config.log, error);
      throw error;
    }
    this.publishRoleChanges();
  }

  private info(member: Member): ReplicaInfo {
    return {
      name: member.name,
      url: member.url,
      role: this.roleOf(member.name),
      appliedSeq: member.position.seq,
      lastHeartbeatAt: this.heardAt.get(member.name) ?? null,
    };
  }

  private roleOf(name: string): ReplicaRole {
    if (!this.isLive(name)) return 'OFFLINE';
    const { view } = this.core;
    if (view.primary === name) return 'PRIMARY';
    return view.backups.includes(name) ? 'BACKUP' : 'CATCHING_UP';
  }

  /** Tells every member at once rather than waiting for its next heartbeat. */
  private announce(): void {
    const notice = this.notice();
    for (const member of this.core.allMembers()) {
      if (!this.isLive(member.name)) continue;
      callPeer(member.url, '/view', notice, { secret: this.config.secret, timeoutMs: 1000, response: z.unknown() }).catch((error) =>
        this.config.log.debug({ name: member.name, err: describe(error) }, 'view push failed'),
      );
    }
  }

  private publishRoleChanges(): void {
    for (const member of this.core.allMembers()) {
      const role = this.roleOf(member.name);
      const previous = this.roles.get(member.name) ?? null;
      if (previous === role) continue;
      this.roles.set(member.name, role);
      this.emit('replicaStatus', { replica: this.info(member), previousRole: previous, epoch: this.core.view.epoch, at: new Date().toISOString() });
    }
  }
}

function loadState(file: string): ViewsDurable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_VIEWS;
    throw error;
  }
  const json: unknown = JSON.parse(text);
  const state = ViewsDurable.safeParse(json);
  if (state.success) return state.data;
  // The first format held the view alone.
  const view = ViewSchema.safeParse(json);
  if (view.success) return { view: view.data, committedSeq: 0, holders: view.data.primary ? [view.data.primary, ...view.data.backups] : [], stores: {} };
  throw new Error(`${file} is not a view: ${state.error.message.slice(0, 300)}`);
}

/** Durable and atomic: a crash leaves the old state or the new one, never half. */
function saveState(file: string, state: ViewsDurable): void {
  privateDir(dirname(file));
  const temporary = `${file}.tmp`;
  // A temporary file a crash left behind keeps its mode: narrowed first (writeFileSync's mode applies only to a new file).
  privateFile(temporary);
  writeFileSync(temporary, JSON.stringify(state), { mode: PRIVATE_FILE_MODE });
  const fd = openSync(temporary, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, file);
}
