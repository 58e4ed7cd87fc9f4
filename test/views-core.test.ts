// The view service's decisions, driven step by step with a virtual clock
// (replicas/core/views.ts has no I/O, timers or clock of its own).
import { describe, expect, it } from 'vitest';
import { AwakeClock } from '../replicas/core/awake-clock.ts';
import { EMPTY_VIEWS, type HeartbeatFacts, ViewCore, type ViewsDurable } from '../replicas/core/views.ts';
import type { View } from '../replicas/protocol.ts';

const CONFIG = { heartbeatMs: 100, suspectMs: 500, minReplicas: 2 };
const LEARNED_MS = 2 * CONFIG.suspectMs;

/** A view core with a virtual clock, and what it wrote down and said. */
function harness(durable: ViewsDurable = EMPTY_VIEWS) {
  const persisted: ViewsDurable[] = [];
  const installed: View[] = [];
  const errors: string[] = [];
  let now = 0;
  const core = new ViewCore(CONFIG, durable, {
    persist: (state) => persisted.push(state),
    installed: (view) => installed.push(view),
    log: (level, _details, message) => {
      if (level === 'error') errors.push(message);
    },
  }, now);
  const replicas = new Map<string, HeartbeatFacts>();
  const h = {
    core,
    persisted,
    installed,
    errors,
    get now() {
      return now;
    },
    /** A replica's heartbeat: `store`, `seq`, `committed` and `incarnation` as it says them. */
    beat(name: string, facts: Partial<HeartbeatFacts> & { seq?: number } = {}) {
      const previous = replicas.get(name);
      const seq = facts.seq ?? previous?.position.seq ?? 0;
      const beat: HeartbeatFacts = {
        name,
        url: `http://replica-${name}`,
        incarnation: facts.incarnation ?? previous?.incarnation ?? `${name}-1`,
        storeId: facts.storeId ?? previous?.storeId ?? `store-${name}`,
        committedSeq: facts.committedSeq ?? previous?.committedSeq ?? 0,
        canWrite: facts.canWrite ?? true,
        view: facts.view ?? core.view,
        role: facts.role,
        position: { seq, hash: `h${seq}` },
      };
      replicas.set(name, beat);
      core.heartbeat(now, beat);
    },
    /** Lets `ms` pass, with every named replica heartbeating on time. */
    advance(ms: number, heartbeating: string[] = []) {
      for (let t = 0; t < ms; t += CONFIG.heartbeatMs) {
        now += CONFIG.heartbeatMs;
        for (const name of heartbeating) h.beat(name);
        core.tick(now);
      }
    },
    /** A cluster of `names` with the first as primary and the rest added as backups, all at `seq`. */
    formed(names: string[], seq = 0) {
      for (const name of names) h.beat(name, { seq });
      h.advance(LEARNED_MS, names);
      const [primary, ...backups] = names;
      if (core.view.primary !== primary) throw new Error(`expected ${primary} first, got ${JSON.stringify(core.view)}`);
      for (const backup of backups) core.addBackup(now, core.view.epoch, primary, backup);
      return h;
    },
  };
  return h;
}

describe('the view core', () => {
  it('decides nothing while it learns after a start, then makes the first replica primary and adds backups the primary asks for', () => {
    const h = harness();
    h.beat('a');
    h.beat('b');
    h.advance(LEARNED_MS - 200, ['a', 'b']);
    expect(h.core.view.epoch).toBe(0);
    h.advance(300, ['a', 'b']);
    expect(h.core.view).toEqual({ epoch: 1, primary: 'a', backups: [] });
    expect(h.core.unwritableReason(h.now)).toMatch(/1 of the 2 replicas/);
    expect(h.core.addBackup(h.now, 1, 'a', 'b')).toBe(true);
    expect(h.core.view).toEqual({ epoch: 2, primary: 'a', backups: ['b'] });
    expect(h.core.unwritableReason(h.now)).toBeNull();
    expect(h.core.holders).toEqual(['a', 'b']);
    // Every view was written down before it was in force.
    expect(h.persisted.map((s) => s.view.epoch)).toEqual([1, 2]);
  });

  it('replaces a silent primary by the holder with the highest seq, and drops a silent backup', () => {
    const h = harness().formed(['a', 'b', 'c'], 5);
    h.beat('b', { seq: 9 });
    h.beat('c', { seq: 8 });
    h.advance(CONFIG.suspectMs + 100, ['b', 'c']);
    expect(h.core.view).toMatchObject({ primary: 'b', backups: ['c'] });
    const epoch = h.core.view.epoch;
    h.advance(CONFIG.suspectMs + 100, ['b']);
    expect(h.core.view).toEqual({ epoch: epoch + 1, primary: 'b', backups: [] });
  });

  it('never makes primary a replica that is not a holder, or one below the committed seq, and says why it waits', () => {
    const h = harness().formed(['a', 'b'], 3);
    h.beat('a', { committedSeq: 7, seq: 7 });
    h.beat('b', { seq: 7 });
    // c registers, up to date, but never joined: it is no holder.
    h.beat('c', { seq: 7 });
    h.advance(CONFIG.suspectMs + 100, ['c']);
    expect(h.core.view.primary).toBe('a');
    expect(h.core.unwritableReason(h.now)).toMatch(/no live replica holds every committed write \(up to seq 7\)/);
    // b comes back, but reports less than was committed: still no.
    h.beat('b', { seq: 6, incarnation: 'b-2' });
    h.core.tick(h.now);
    expect(h.core.view.primary).toBe('a');
    expect(h.core.unwritableReason(h.now)).toMatch(/b holds only up to seq 6/);
    h.beat('b', { seq: 7 });
    expect(h.core.view).toMatchObject({ primary: 'b', backups: [] });
  });

  it('takes a primary back on a wiped disk out of the view, and waits for a holder with the data', () => {
    const h = harness().formed(['a', 'b', 'c'], 4);
    h.beat('a', { committedSeq: 4 });
    h.advance(CONFIG.suspectMs + 100, []);
    const epoch = h.core.view.epoch;
    // Everyone was down; a comes back first, on a new store, at seq 0.
    h.beat('a', { storeId: 'store-a-new', seq: 0, committedSeq: 0, incarnation: 'a-2' });
    expect(h.core.view).toEqual({ epoch: epoch + 1, primary: null, backups: [] });
    expect(h.core.unwritableReason(h.now)).toMatch(/a came back with an empty or different disk/);
    // Its new store is never recorded as a holder's.
    h.advance(1000, ['a']);
    expect(h.core.view.primary).toBeNull();
    // The first holder back leads (alone: below the minimum, it commits nothing until c joins).
    h.beat('b', { incarnation: 'b-2' });
    expect(h.core.view).toMatchObject({ primary: 'b', backups: [] });
    expect(h.core.holders).toEqual(['a', 'b', 'c']);
    h.beat('c', { incarnation: 'c-2' });
    expect(h.core.addBackup(h.now, h.core.view.epoch, 'b', 'c')).toBe(true);
    expect(h.core.view).toMatchObject({ primary: 'b', backups: ['c'] });
    expect(h.core.holders).toEqual(['b', 'c']);
    expect(h.errors.some((e) => e.includes('cannot choose a primary'))).toBe(true);
  });

  it('forms a view from restarted holders when a lone primary goes silent', () => {
    const h = harness().formed(['a', 'b', 'c'], 2);
    h.advance(CONFIG.suspectMs + 100, ['a']);
    expect(h.core.view).toMatchObject({ primary: 'a', backups: [] });
    // a goes silent too; b and c come back from their files.
    h.beat('b', { incarnation: 'b-2' });
    h.beat('c', { incarnation: 'c-2' });
    h.advance(CONFIG.suspectMs + 100, ['b', 'c']);
    expect(h.core.view).toMatchObject({ primary: 'b', backups: ['c'] });
  });

  it('suspects a primary on timeouts only when nothing it was sent has been answered for a suspicion period', () => {
    const h = harness().formed(['a', 'b']);
    h.core.answered(h.now, 'a');
    h.advance(200, ['a', 'b']);
    h.core.unanswered(h.now, 'a', 'timeout');
    expect(h.core.view.primary).toBe('a');
    h.advance(CONFIG.suspectMs, ['a', 'b']);
    h.core.unanswered(h.now, 'a', 'timeout');
    expect(h.core.view.primary).toBe('b');
    // A refused connection is enough at once.
    const g = harness().formed(['a', 'b']);
    g.core.unanswered(g.now, 'a', 'unreachable');
    expect(g.core.view.primary).toBe('b');
  });

  it('drops a replica that cannot write, and takes a newer view it hears of', () => {
    const h = harness().formed(['a', 'b', 'c']);
    h.beat('c', { canWrite: false });
    expect(h.core.view.backups).toEqual(['b']);
    h.beat('b', { view: { epoch: 40, primary: 'b', backups: ['a'] } });
    expect(h.core.view).toMatchObject({ epoch: 40, primary: 'b' });
  });

  it('replaces a primary that has heard of its view but refuses to lead, and does not name it again at once', () => {
    const h = harness().formed(['a', 'b', 'c'], 3);
    const { epoch } = h.core.view;
    // a is installing a snapshot (or lacks committed writes): it heartbeats as CATCHING_UP in the view naming it.
    h.beat('a', { role: 'CATCHING_UP' });
    expect(h.core.view).toMatchObject({ epoch: epoch + 1, primary: 'b' });
    expect(h.core.view.backups).not.toContain('a');
  });

  it('adds no joiner that lacks what is committed (a late add-backup request)', () => {
    const h = harness().formed(['a', 'b']);
    h.beat('a', { seq: 9, committedSeq: 9 });
    h.beat('b', { seq: 9 });
    h.beat('c', { seq: 5 });
    expect(h.core.addBackup(h.now, h.core.view.epoch, 'a', 'c')).toBe(false);
    h.beat('c', { seq: 9 });
    expect(h.core.addBackup(h.now, h.core.view.epoch, 'a', 'c')).toBe(true);
  });

  it('refuses limits that do not fit together', () => {
    expect(() => new ViewCore({ ...CONFIG, heartbeatMs: 500 }, EMPTY_VIEWS, { persist() {}, installed() {}, log() {} }, 0)).toThrow(/below suspectMs/);
  });
});

describe('the awake clock', () => {
  it('counts a gap longer than its step as one step: its owner was stalled', () => {
    let real = 1000;
    const clock = new AwakeClock(100, () => real);
    real += 50;
    expect(clock.now()).toBe(50);
    real += 2000; // a SIGSTOP of 2 s
    expect(clock.now()).toBe(150);
    real -= 10; // a real clock never goes back; if it seems to, no time passes
    expect(clock.now()).toBe(150);
  });
});
