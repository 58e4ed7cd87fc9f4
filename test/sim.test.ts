// The seeded simulator in the test suite: thousands of runs of the real
// protocol cores (the view service's, the primary's, the shipment verdicts)
// under message delay, loss, duplication, reordering, one-way cuts, slow
// links, crashes, wiped disks, pauses and view-service restarts, each checked
// after every step; then proof that it can fail: each deliberately broken
// variant is caught within its seed budget.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUGS, type Bug, simulate } from '../sim/world.ts';

const SEEDS = 2000;
/** Seeds searched for each broken variant before the test gives up on finding it. */
const BUG_BUDGET = 3000;

describe('the simulator', () => {
  it(`finds no violation in ${SEEDS} seeds, and the runs did real work`, () => {
    const failures: string[] = [];
    let acked = 0;
    let faults = 0;
    let viewChanges = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const result = simulate(seed);
      acked += result.acked;
      faults += result.faults;
      viewChanges += result.viewChanges;
      if (result.violations.length > 0) failures.push(`seed ${seed}: ${result.violations[0]?.what} (replay: npm run sim -- --seed ${seed})`);
    }
    expect(failures).toEqual([]);
    // Not a vacuous pass: writes were acknowledged, faults injected, views changed.
    expect(acked).toBeGreaterThan(SEEDS * 5);
    expect(faults).toBeGreaterThan(SEEDS * 5);
    expect(viewChanges).toBeGreaterThan(SEEDS * 3);
  }, 120_000);

  it('replays a seed exactly', () => {
    const trace = (seed: number) => {
      const lines: string[] = [];
      const result = simulate(seed, { trace: (line) => lines.push(line) });
      return { lines, result };
    };
    const first = trace(42);
    const again = trace(42);
    expect(again.lines).toEqual(first.lines);
    expect(again.result).toEqual(first.result);
    expect(first.lines.length).toBeGreaterThan(10);
    expect(trace(43).lines).not.toEqual(first.lines);
  });

  describe('can fail: each broken variant is caught', () => {
    for (const bug of BUGS) {
      it(bug, () => {
        let found: { seed: number; what: string } | null = null;
        for (let seed = 1; seed <= BUG_BUDGET && !found; seed++) {
          const violation = simulate(seed, { bug: bug as Bug }).violations[0];
          if (violation) found = { seed, what: violation.what };
        }
        expect(found, `${bug} not caught in ${BUG_BUDGET} seeds`).not.toBeNull();
      }, 120_000);
    }
  });

  it('prints the command that replays a failing seed, and names a bad flag', () => {
    const run = fileURLToPath(new URL('../sim/run.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url));
    const failing = spawnSync(tsx, [run, '--seeds', '200', '--bug', 'ack-before-backups'], { encoding: 'utf8' });
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/replay: npm run sim -- --seed \d+ --bug ack-before-backups/);
    const bad = spawnSync(tsx, [run, '--seeds', 'many'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--seeds must be a whole number/);
  }, 60_000);
});
