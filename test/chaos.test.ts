// A short chaos run against real processes: a seeded workload (customers,
// and staff moving their orders along the lifecycle) and a seeded schedule of
// every fault kind (SIGKILL, SIGSTOP/SIGCONT, restarts from disk, partitions
// and slow links through the proxies), then the history checker. It must find
// nothing, and the faults, failovers and moves must really have happened, or
// the run proves nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/harness.ts';
import { FAULT_KINDS } from '../chaos/options.ts';
import { formatViolation } from '../chaos/summary.ts';

const outDir = mkdtempSync(join(tmpdir(), 'jh-chaos-results-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the chaos harness', () => {
  // Seed 12's first round hits the primary with every kind: an isolating partition, a restart, a kill, a pause.
  it('finds no violation in a 30 s run with every fault kind (seed 12), and the faults, failovers and moves happened', async () => {
    const result = await runChaos({
      seed: 12,
      durationMs: 30_000,
      clients: 8,
      staff: 3,
      replicas: 3,
      faults: [...FAULT_KINDS],
      outDir,
      requestTimeoutMs: 5000,
      keepData: false,
    });
    const { summary, history } = result;
    expect(result.violations.map((v) => formatViolation(history, v))).toEqual([]);
    expect(Object.keys(summary.faults).sort()).toEqual([...FAULT_KINDS].sort());
    expect(summary.failovers).toBeGreaterThanOrEqual(1);
    expect(summary.orders.acknowledged).toBeGreaterThan(20);
    expect(summary.orders.cancelsAcknowledged).toBeGreaterThan(5);
    // Staff moved orders all the way along: delivered, collected and rejected orders are in the final state, and the moves that made them were acknowledged.
    expect(summary.moves.ok).toBeGreaterThan(50);
    for (const status of ['DELIVERED', 'COLLECTED', 'REJECTED']) {
      expect(summary.finalStatuses[status] ?? 0, status).toBeGreaterThan(0);
      expect(summary.moves.acknowledged[status] ?? 0, status).toBeGreaterThan(0);
    }
    // Moves raced: a customer's cancel or a member of staff's move found the order moved on (ORDER_NOT_CANCELLABLE, INVALID_TRANSITION), which the checker judged.
    const refused = history.ops.filter(
      (op) => op.outcome === 'fail' && ((op.type === 'moveOrder' && op.code === 'INVALID_TRANSITION') || (op.type === 'cancelOrder' && op.code === 'ORDER_NOT_CANCELLABLE')),
    );
    expect(refused.length).toBeGreaterThan(0);
    // Keys reused for another cart were sent, and every one answered was refused as such (the checker names any other).
    const reuses = history.ops.filter((op) => op.type === 'reuseKey');
    expect(reuses.length).toBeGreaterThan(0);
    expect(reuses.filter((op) => op.outcome === 'fail').every((op) => op.code === 'IDEMPOTENCY_KEY_REUSED' || op.code === 'SERVICE_UNAVAILABLE')).toBe(true);
    // The final state was read and the subscribers were checked against a complete log.
    expect(history.final?.replicas).toHaveLength(3);
    expect(history.final?.log?.fromSeq).toBe(1);
    expect(history.subscribers.every((s) => s.events.length > 0)).toBe(true);
    expect(history.subscribers.map((s) => s.feed)).toContain('staffOrderChanged');
    expect(result.resultFile && existsSync(result.resultFile)).toBeTruthy();
    const written = JSON.parse(readFileSync(result.resultFile ?? '', 'utf8')) as { summary: { seed: number; verdict: string } };
    expect(written.summary).toMatchObject({ seed: 12, verdict: 'no violations' });
  }, 150_000);

  it('refuses a bad flag with one line naming it and exit code 2', () => {
    const run = fileURLToPath(new URL('../chaos/run.ts', import.meta.url));
    const tsx = fileURLToPath(import.meta.resolve('tsx'));
    for (const [args, named] of [[['--clients', 'lots'], '--clients'], [['--faults', 'kill,flood'], 'flood'], [['--speed', '3'], '--speed']] as const) {
      const child = spawnSync(process.execPath, ['--import', tsx, run, ...args], { encoding: 'utf8', timeout: 30_000 });
      expect(child.status, child.stderr).toBe(2);
      expect(child.stderr.trim().split('\n')).toHaveLength(1);
      expect(child.stderr).toContain(named);
    }
  }, 60_000);
});
