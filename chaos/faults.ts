// The fault schedule and the hands that carry it out. The schedule is drawn
// from the seed alone: a sequence of steps, each naming a kind of fault, its
// target by role (the primary, the n-th backup, the gateway), its variant
// and how long it lasts. Every enabled kind comes once in each round, in a
// shuffled order. At run time a role becomes whichever replica holds it
// then. One fault at a time, each healed before the next, so at most one
// replica is ever out: the cluster needs two to take writes.
import type { ChaosCluster } from './cluster.ts';
import { GATEWAY } from './cluster.ts';
import type { FaultKind } from './options.ts';
import type { FaultRecord, Recorder } from './history.ts';
import type { LinkMode, LinkProxy, TapEvent } from './proxy.ts';
import { PASS } from './proxy.ts';
import { Random } from './random.ts';

export type Target = { role: 'primary' } | { role: 'backup'; index: number } | { role: 'gateway' };

export type FaultStep = { gapMs: number } & (
  | { kind: 'kill'; target: Target; timing: 'any' | 'after-ship' | 'before-ack' | 'backup-on-ship'; downMs: number }
  | { kind: 'pause'; target: Target; holdMs: number }
  | { kind: 'restart'; target: Target; signal: 'SIGKILL' | 'SIGTERM' }
  | { kind: 'partition'; shape: 'isolate' | 'from-gateway' | 'primary-backup' | 'one-way'; target: Target; peer: Target; mode: 'drop' | 'blackhole'; holdMs: number }
  | { kind: 'slow'; shape: 'node' | 'link'; target: Target; peer: Target; delayMs: number; holdMs: number }
);

/** The seeded fault schedule: an endless sequence of steps. */
export class FaultPlan {
  private readonly random: Random;
  private round: FaultKind[] = [];

  constructor(
    seed: number,
    private readonly kinds: readonly FaultKind[],
  ) {
    this.random = Random.derive(seed, 'faults');
  }

  next(): FaultStep | null {
    if (this.kinds.length === 0) return null;
    if (this.round.length === 0) this.round = this.random.shuffle(this.kinds);
    const kind = this.round.shift() as FaultKind;
    return this.step(kind);
  }

  private step(kind: FaultKind): FaultStep {
    const r = this.random;
    const gapMs = r.int(200, 1200);
    const replica = (): Target => (r.chance(0.55) ? { role: 'primary' } : { role: 'backup', index: r.int(0, 7) });
    const node = (): Target => (r.chance(0.2) ? { role: 'gateway' } : replica());
    switch (kind) {
      case 'kill': {
        const timing = r.weighted([['any', 3], ['after-ship', 2], ['before-ack', 2], ['backup-on-ship', 1]] as const);
        // Sometimes the replica stays down a long while and comes back having missed many writes.
        const downMs = r.chance(0.2) ? r.int(5000, 20_000) : r.int(300, 2500);
        const target: Target = timing === 'backup-on-ship' ? { role: 'backup', index: r.int(0, 7) } : timing === 'any' ? replica() : { role: 'primary' };
        return { kind, gapMs, target, timing, downMs };
      }
      case 'pause':
        // Short pauses stay under the suspicion timeout; long ones make a frozen primary wake up deposed.
        return { kind, gapMs, target: r.chance(0.7) ? { role: 'primary' } : replica(), holdMs: r.chance(0.25) ? r.int(100, 400) : r.int(800, 4000) };
      case 'restart':
        return { kind, gapMs, target: replica(), signal: r.chance(0.5) ? 'SIGKILL' : 'SIGTERM' };
      case 'partition': {
        const shape = r.weighted([['isolate', 3], ['from-gateway', 2], ['primary-backup', 2], ['one-way', 3]] as const);
        const target: Target = shape === 'primary-backup' ? { role: 'primary' } : shape === 'one-way' ? node() : replica();
        const peer: Target = shape === 'one-way' ? (target.role === 'gateway' ? replica() : node()) : { role: 'backup', index: r.int(0, 7) };
        return { kind, gapMs, shape, target, peer, mode: r.chance(0.5) ? 'drop' : 'blackhole', holdMs: r.int(800, 5000) };
      }
      case 'slow': {
        const shape = r.chance(0.5) ? 'node' : 'link';
        const target = node();
        const peer: Target = target.role === 'gateway' ? replica() : node();
        return { kind, gapMs, shape, target, peer, delayMs: r.int(20, 600), holdMs: r.int(1500, 5000) };
      }
    }
  }
}

export interface FaultRunnerConfig {
  cluster: ChaosCluster;
  recorder: Recorder;
  plan: FaultPlan;
  /** Writes need this many replicas: a fault waits until the cluster is whole again. */
  replicas: number;
  /** How long to wait for the cluster to be whole before the next fault. */
  recoveryWaitMs: number;
}

/** Runs the schedule until stopped; `stop()` heals whatever is broken at that moment. */
export class FaultRunner {
  private stopped = false;
  private wake: () => void = () => undefined;
  private readonly stopping: Promise<void>;
  private running: Promise<void> = Promise.resolve();
  /** Faults after which the cluster was not whole again within `recoveryWaitMs`. */
  readonly slowRecoveries: { faultId: number; waitedMs: number }[] = [];
  /** The view last seen, to name each target by the role it had when hit. */
  private view: { primary: string | null; backups: string[] } = { primary: null, backups: [] };

  constructor(private readonly config: FaultRunnerConfig) {
    this.stopping = new Promise((resolve) => (this.wake = resolve));
  }

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
  }

  private async loop(): Promise<void> {
    let last: FaultRecord | null = null;
    while (!this.stopped) {
      const step = this.config.plan.next();
      if (!step) return;
      await this.whole(last);
      if (this.stopped) return;
      const record = await this.apply(step);
      last = record;
      await this.hold(step.gapMs);
    }
  }

  /** Waits (bounded) for a writable view with every replica in it. */
  private async whole(after: FaultRecord | null): Promise<void> {
    const started = Date.now();
    while (!this.stopped) {
      try {
        const { view, cluster } = await this.config.cluster.status();
        if (cluster.writable && view.primary && view.backups.length + 1 === this.config.replicas) return;
      } catch {
        // the gateway is busy or restarting: ask again
      }
      if (Date.now() - started > this.config.recoveryWaitMs) {
        if (after) this.slowRecoveries.push({ faultId: after.id, waitedMs: Date.now() - started });
        return;
      }
      await this.hold(100);
    }
  }

  private hold(ms: number): Promise<void> {
    return Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms)), this.stopping]);
  }

  private async apply(step: FaultStep): Promise<FaultRecord> {
    switch (step.kind) {
      case 'kill':
        return this.kill(step);
      case 'pause': {
        const name = await this.resolve(step.target);
        const record = this.config.recorder.fault('pause', `SIGSTOP ${this.roleOf(name)} for ${step.holdMs} ms`, [name]);
        this.config.cluster.pause(name);
        await this.hold(step.holdMs);
        this.config.cluster.resume(name);
        this.config.recorder.healed(record);
        return record;
      }
      case 'restart': {
        const name = await this.resolve(step.target);
        const record = this.config.recorder.fault('restart', `${step.signal} ${this.roleOf(name)} and start it again from its file`, [name]);
        await this.config.cluster.stop(name, step.signal);
        this.config.cluster.start(name);
        this.config.recorder.healed(record);
        return record;
      }
      case 'partition':
      case 'slow':
        return this.links(step);
    }
  }

  private async kill(step: Extract<FaultStep, { kind: 'kill' }>): Promise<FaultRecord> {
    const { cluster, recorder } = this.config;
    const name = await this.resolve(step.target);
    let how = `SIGKILL ${this.roleOf(name)}`;
    if (step.timing !== 'any') {
      const primary = step.timing === 'backup-on-ship' ? await this.resolve({ role: 'primary' }) : name;
      const backup = step.timing === 'backup-on-ship' ? name : await this.resolve({ role: 'backup', index: 0 });
      const fired = primary !== backup && (await this.killOnWire(cluster.network.link(primary, backup), name, step.timing));
      how += fired
        ? { 'after-ship': ` as its /replicate reached ${backup}`, 'before-ack': ` before ${backup}'s ack of /replicate reached it`, 'backup-on-ship': ` as /replicate from ${primary} reached it` }[step.timing]
        : ' (no replication round came within 2 s)';
    }
    const record = recorder.fault('kill', `${how}; down ${step.downMs} ms`, [name]);
    await cluster.stop(name, 'SIGKILL');
    await this.hold(step.downMs);
    cluster.start(name);
    recorder.healed(record);
    return record;
  }

  /** Kills `victim` at a chosen byte of a replication call on `link`; false if no call came in time. */
  private killOnWire(link: LinkProxy, victim: string, timing: 'after-ship' | 'before-ack' | 'backup-on-ship'): Promise<boolean> {
    return new Promise((resolve) => {
      const direction: TapEvent['direction'] = timing === 'before-ack' ? 'response' : 'request';
      const untap = link.tap((event) => {
        if (event.direction !== direction || event.path !== '/replicate') return 'ignore';
        this.config.cluster.killNow(victim);
        clearTimeout(timer);
        resolve(true);
        // The backup gets the entries it was sent; an ack the dead primary would have read is lost.
        return timing === 'after-ship' ? 'pass' : 'swallow';
      });
      const timer = setTimeout(() => {
        untap();
        resolve(false);
      }, 2000);
    });
  }

  private async links(step: Extract<FaultStep, { kind: 'partition' | 'slow' }>): Promise<FaultRecord> {
    const { cluster, recorder } = this.config;
    const a = await this.resolve(step.target);
    let b = await this.resolve(step.peer);
    if (b === a) b = this.other(a);
    const nodes = [GATEWAY, ...cluster.replicaNames];
    let affected: LinkProxy[];
    let what: string;
    const shape = step.shape;
    if (shape === 'isolate' || shape === 'node') {
      affected = nodes.filter((n) => n !== a).flatMap((n) => [cluster.network.link(a, n), cluster.network.link(n, a)]);
      what = `${this.roleOf(a)} from everyone`;
    } else if (shape === 'from-gateway') {
      affected = [cluster.network.link(a, GATEWAY), cluster.network.link(GATEWAY, a)];
      what = `${this.roleOf(a)} from the gateway`;
    } else if (shape === 'one-way') {
      affected = [cluster.network.link(a, b)];
      what = `${this.roleOf(a)} -> ${this.roleOf(b)} only`;
    } else {
      affected = [cluster.network.link(a, b), cluster.network.link(b, a)];
      what = `${this.roleOf(a)} <-> ${this.roleOf(b)}`;
    }
    const mode: LinkMode = step.kind === 'slow' ? { kind: 'delay', ms: step.delayMs } : { kind: step.mode };
    const verb = step.kind === 'slow' ? `delay ${step.delayMs} ms each way on` : `${step.mode}`;
    const targets = [...new Set(affected.flatMap((link) => [link.from, link.to]))];
    const record = recorder.fault(step.kind, `${verb} ${what} for ${step.holdMs} ms`, targets);
    for (const link of affected) link.set(mode);
    await this.hold(step.holdMs);
    for (const link of affected) link.set(PASS);
    recorder.healed(record);
    return record;
  }

  /** The replica (or gateway) holding a role now. */
  private async resolve(target: Target): Promise<string> {
    if (target.role === 'gateway') return GATEWAY;
    const names = this.config.cluster.replicaNames;
    let view: { primary: string | null; backups: string[] } = { primary: null, backups: [] };
    try {
      view = (await this.config.cluster.status()).view;
    } catch {
      // no answer: fall back to names
    }
    this.view = view;
    const primary = view.primary ?? names[0] ?? '1';
    if (target.role === 'primary') return primary;
    const backups = view.backups.length > 0 ? [...view.backups].sort() : names.filter((n) => n !== primary);
    return backups[target.index % backups.length] ?? this.other(primary);
  }

  private other(name: string): string {
    return this.config.cluster.replicaNames.find((n) => n !== name) ?? name;
  }

  private roleOf(name: string): string {
    if (name === GATEWAY) return 'the gateway';
    if (name === this.view.primary) return `primary ${name}`;
    return this.view.backups.includes(name) ? `backup ${name}` : `replica ${name}`;
  }
}
