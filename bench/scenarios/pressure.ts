// False failovers under CPU pressure: 3 replicas under 64 clients of write
// load while busy-loop processes (two per core) oversubscribe the machine.
// Nothing fails, so the epoch must not change and nobody may be suspected.
// Then, still under pressure, a frozen primary (SIGSTOP) must be replaced
// within 2 s: the detector may not buy its calm by going deaf.
import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { BenchCluster, killOnExit, sleep, waitFor } from '../cluster.ts';
import { startLoad } from '../load.ts';
import type { Plan } from '../plan.ts';
import { makeCustomers, placeOneOrder, placeOrders } from '../workload.ts';

const REPLICAS = 3;
const BUSY_PER_CORE = 2;

export interface PressureResult {
  seconds: number;
  connections: number;
  busyLoops: number;
  /** View changes while nothing failed (must be 0). */
  epochChanges: number;
  /** Replicas the view service suspected while nothing failed (must be 0). */
  suspicions: number;
  /** Writes per second the clients got through meanwhile, and the errors they saw. */
  opsPerSec: number;
  errors: number;
  /** From SIGSTOP of the primary, under the same pressure, until a write succeeded again. */
  frozenRecoveryMs: number | null;
}

export async function measurePressure(plan: Plan, say: (line: string) => void): Promise<PressureResult> {
  const busyLoops = BUSY_PER_CORE * availableParallelism();
  say(`pressure: ${REPLICAS} replicas, ${plan.pressure.connections}-client write load, ${busyLoops} busy loops, ${plan.pressure.seconds} s`);
  const cluster = await BenchCluster.start({ replicas: REPLICAS, minReplicas: 2, logLevel: 'warn' });
  const busy: ChildProcess[] = [];
  try {
    const customers = await makeCustomers(cluster.graphqlUrl, plan.customers);
    // Counted as the lines come: the cluster keeps only the last lines of each process.
    let suspicions = 0;
    const stopCounting = cluster.onLogLine((label, line) => {
      if (label === 'gateway' && line.includes('replica suspected')) suspicions++;
    });
    const before = await cluster.status();
    for (let i = 0; i < busyLoops; i++) busy.push(killOnExit(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' })));
    const load = startLoad({ url: cluster.graphqlUrl, connections: plan.pressure.connections, durationMs: plan.pressure.seconds * 1000, next: placeOrders(customers) });
    const stats = await load.done;
    const after = await cluster.status();
    stopCounting();
    say(`  epoch ${before.view.epoch} -> ${after.view.epoch}; ${suspicions} suspicion(s); ${stats.opsPerSec.toFixed(0)} writes/s; ${stats.errors} error(s)`);

    // Still under pressure: freeze the primary and wait for a write to succeed on another.
    await cluster.waitForView(REPLICAS);
    const frozen = (await cluster.primary()).name;
    const frozenAt = performance.now();
    const frozenProcess = cluster.processes.get(frozen);
    frozenProcess?.kill('SIGSTOP');
    let frozenRecoveryMs: number | null = null;
    try {
      await waitFor('a write after freezing the primary', async () => {
        await placeOneOrder(cluster.graphqlUrl, customers[0]?.token ?? '');
        return true;
      }, 30_000, 20);
      frozenRecoveryMs = performance.now() - frozenAt;
      say(`  SIGSTOP of primary ${frozen} under pressure: a write succeeded again after ${frozenRecoveryMs.toFixed(0)} ms`);
    } finally {
      frozenProcess?.kill('SIGCONT');
    }
    return {
      seconds: plan.pressure.seconds,
      connections: plan.pressure.connections,
      busyLoops,
      epochChanges: after.view.epoch - before.view.epoch,
      suspicions,
      opsPerSec: stats.opsPerSec,
      errors: stats.errors,
      frozenRecoveryMs,
    };
  } finally {
    for (const child of busy) child.kill('SIGKILL');
    await sleep(100);
    await cluster.stop();
  }
}
