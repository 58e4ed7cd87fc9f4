// `npm run bench -- --profile`: a 3-replica cluster under a 64-client write
// load with `node --cpu-prof` on the gateway and every replica; then where
// each process spent its CPU during the load, written to
// bench/results/<date>-profile.md and .json. The raw .cpuprofile files stay
// in a temporary directory (open them in Chrome DevTools).
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchCluster } from './cluster.ts';
import { type ProfileSummary, type Row, summariseProfile } from './cpu-profile.ts';
import { runLoad } from './load.ts';
import { describeStats } from './scenarios/throughput.ts';
import { makeCustomers, placeOrders } from './workload.ts';

const REPLICAS = 3;
const CONNECTIONS = 64;
const CUSTOMERS = 256;
const WARMUP_MS = 2000;

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export async function profileWrites(seconds: number, say: (line: string) => void, resultsDir: string): Promise<void> {
  const profileDir = mkdtempSync(join(tmpdir(), 'jh-bench-profile-'));
  const nodeFlags = ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  say(`profile: ${REPLICAS} replicas with --cpu-prof, ${CONNECTIONS} clients writing for ${seconds} s`);
  const cluster = await BenchCluster.start({ replicas: REPLICAS, minReplicas: 2, gatewayNodeFlags: nodeFlags, replicaNodeFlags: nodeFlags });
  let window = { fromUs: 0, toUs: 0 };
  const roles = new Map<string, string>();
  const pids = new Map<string, number>();
  let statsLine = '';
  try {
    const customers = await makeCustomers(cluster.graphqlUrl, CUSTOMERS);
    await runLoad({ url: cluster.graphqlUrl, connections: CONNECTIONS, durationMs: WARMUP_MS, next: placeOrders(customers) });
    const before = await cluster.status();
    const primary = await cluster.primary();
    const roundsBefore = await roundCounters(cluster, primary.url);
    const fromUs = nowUs();
    const stats = await runLoad({ url: cluster.graphqlUrl, connections: CONNECTIONS, durationMs: seconds * 1000, next: placeOrders(customers) });
    window = { fromUs, toUs: nowUs() };
    const after = await cluster.status();
    const roundsAfter = await roundCounters(cluster, primary.url);
    const rounds = roundsAfter.count - roundsBefore.count;
    const roundsLine = rounds > 0
      ? `; the primary ran ${rounds} replication rounds of ${((roundsAfter.seq - roundsBefore.seq) / rounds).toFixed(1)} writes on average, ` +
        `${((1000 * (roundsAfter.seconds - roundsBefore.seconds)) / rounds).toFixed(1)} ms each`
      : '';
    statsLine = `${describeStats(stats)}; the load generator used ${stats.generatorCpuPercent.toFixed(0)}% of a core${roundsLine}` +
      (before.view.epoch === after.view.epoch ? '' : `; the view changed during the load (epoch ${before.view.epoch} -> ${after.view.epoch})`);
    say(`  under the profiler: ${statsLine}`);
    const { view } = await cluster.status();
    roles.set('gateway', 'gateway');
    for (const [label, child] of cluster.processes) {
      if (child.pid) pids.set(label, child.pid);
      if (label !== 'gateway') roles.set(label, label === view.primary ? 'primary' : 'backup');
    }
  } finally {
    // SIGTERM: each process exits cleanly and writes its profile.
    await cluster.stop();
  }

  const files = readdirSync(profileDir);
  const summaries: { label: string; role: string; file: string; summary: ProfileSummary }[] = [];
  for (const [label, pid] of pids) {
    // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: thread 0 is the main thread.
    const file = files.find((f) => f.includes(`.${pid}.0.`) && f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written by ${label} (pid ${pid}) in ${profileDir}`);
    summaries.push({ label, role: roles.get(label) ?? '?', file: join(profileDir, file), summary: summariseProfile(join(profileDir, file), window.fromUs, window.toUs) });
  }
  const order = ['gateway', 'primary', 'backup'];
  summaries.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || a.label.localeCompare(b.label));

  const date = new Date().toISOString().slice(0, 10);
  mkdirSync(resultsDir, { recursive: true });
  const text = render(summaries, seconds, statsLine);
  writeFileSync(join(resultsDir, `${date}-profile.json`), `${JSON.stringify({ seconds, load: statsLine, processes: summaries.map(({ file: _file, ...rest }) => rest) }, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${date}-profile.md`), `${text}\n`);
  process.stdout.write(`\n${text}\n\nWritten: bench/results/${date}-profile.md and .json; raw profiles in ${profileDir}\n`);
}

/** The primary's replication rounds so far (its /metrics histogram) and its committed seq. */
async function roundCounters(cluster: BenchCluster, primaryUrl: string): Promise<{ count: number; seconds: number; seq: number }> {
  const text = await (await fetch(`${primaryUrl}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const { seq } = await cluster.replicaPosition(primaryUrl);
  return { count: metric('jh_replication_round_seconds_count'), seconds: metric('jh_replication_round_seconds_sum'), seq };
}

function render(summaries: { label: string; role: string; summary: ProfileSummary }[], seconds: number, statsLine: string): string {
  const out = [`### CPU profile: ${REPLICAS} replicas, ${CONNECTIONS} clients writing for ${seconds} s`, '', `Load under the profiler: ${statsLine}.`, ''];
  const rows = (list: Row[], n: number) => list.slice(0, n).map((r) => `| ${r.name.replace(/\|/g, '\\|')} | ${r.ms.toFixed(0)} | ${r.percent.toFixed(1)}% |`);
  const backupShown = new Set<string>();
  for (const { label, role, summary } of summaries) {
    if (role === 'backup') {
      if (backupShown.size > 0) continue;
      backupShown.add(label);
    }
    out.push(`#### ${role === 'gateway' ? 'Gateway' : `Replica ${label} (${role})`}: busy ${summary.busyPercent.toFixed(0)}% of ${(summary.windowMs / 1000).toFixed(1)} s${summary.windowed ? '' : ' (whole run: the load window could not be placed)'}`, '');
    out.push('| area (self time) | ms | share |', '| --- | --- | --- |', ...rows(summary.byArea, 16), '');
    out.push('| function (self time) | ms | share |', '| --- | --- | --- |', ...rows(summary.topSelf, 20), '');
    out.push('| our function (inclusive) | ms | share |', '| --- | --- | --- |', ...rows(summary.topInclusiveOwn, 12), '');
  }
  return out.join('\n');
}
