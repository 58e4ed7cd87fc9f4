// The shipment verdicts of replicas/core/shipments.ts, on small hand-made logs.
import { describe, expect, it } from 'vitest';
import { type LogPosition, catchUpPlan, epochVerdict, fitShipment, snapshotLosesCommitted } from '../replicas/core/shipments.ts';

/** A log whose entry at seq n has hash `${prefix}${n}` (seq 0 is the genesis, 'g'). */
function log(length: number, prefix = 'h'): LogPosition & { entries: { seq: number; hash: string }[] } {
  const entries = Array.from({ length }, (_, i) => ({ seq: i + 1, hash: `${prefix}${i + 1}` }));
  return {
    entries,
    head: length === 0 ? { seq: 0, hash: 'g' } : { seq: length, hash: `${prefix}${length}` },
    hashAt: (seq) => (seq === 0 ? 'g' : entries[seq - 1]?.hash ?? null),
  };
}

describe('shipment verdicts', () => {
  it('fences: never a shipment older than the fence; a primary takes only a newer epoch, and steps down', () => {
    expect(epochVerdict(3, 4, 'BACKUP', 4)).toBe('stale');
    expect(epochVerdict(4, 4, 'BACKUP', 4)).toBe('take');
    expect(epochVerdict(4, 4, 'PRIMARY', 4)).toBe('stale');
    expect(epochVerdict(5, 4, 'PRIMARY', 4)).toBe('take-and-step-down');
    expect(epochVerdict(5, 0, 'CATCHING_UP', 0)).toBe('take');
  });

  it('fits entries: a gap, a divergence, a tail the primary never had, or what to append (skipping what is held)', () => {
    const backup = log(3);
    const primary = log(5);
    expect(fitShipment(backup, { seq: 4, hash: 'h4' }, primary.entries.slice(4))).toEqual({ kind: 'gap' });
    expect(fitShipment(backup, { seq: 2, hash: 'x2' }, [])).toEqual({ kind: 'diverged' });
    expect(fitShipment(backup, { seq: 1, hash: 'h1' }, [{ seq: 2, hash: 'x2' }])).toEqual({ kind: 'diverged' });
    expect(fitShipment(backup, { seq: 2, hash: 'h2' }, [])).toEqual({ kind: 'diverged' });
    expect(fitShipment(backup, { seq: 1, hash: 'h1' }, primary.entries.slice(1))).toEqual({ kind: 'append', fresh: primary.entries.slice(3) });
    expect(fitShipment(backup, { seq: 3, hash: 'h3' }, [])).toEqual({ kind: 'append', fresh: [] });
  });

  it('never takes a snapshot below a committed seq, and sends entries only from a position on the primary\'s log', () => {
    expect(snapshotLosesCommitted({ seq: 4, hash: 'h4' }, 5)).toBe(true);
    expect(snapshotLosesCommitted({ seq: 5, hash: 'h5' }, 5)).toBe(false);
    const primary = log(5);
    expect(catchUpPlan(primary, { seq: 3, hash: 'h3' })).toBe('entries');
    expect(catchUpPlan(primary, { seq: 0, hash: 'g' })).toBe('entries');
    expect(catchUpPlan(primary, { seq: 3, hash: 'x3' })).toBe('snapshot');
    expect(catchUpPlan(primary, { seq: 6, hash: 'h6' })).toBe('snapshot');
  });
});
