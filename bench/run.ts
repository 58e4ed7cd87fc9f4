// `npm run bench [-- --quick] [-- --only writes,failover]`: starts real
// clusters on 127.0.0.1, measures start-up, writes, reads, failover, catch-up and growth,
// and writes bench/results/<date>-<mode>.json and .md (and latest.md).
// `npm run bench -- --profile` instead profiles a 3-replica write load.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Mode, PLANS } from './plan.ts';
import { profileWrites } from './profile.ts';
import { type BenchResult, machine, markdown, overhead, targets } from './report.ts';
import { measureCatchUp } from './scenarios/catch-up.ts';
import { measureFailover } from './scenarios/failover.ts';
import { measureGrowth } from './scenarios/growth.ts';
import { measurePressure } from './scenarios/pressure.ts';
import { measureStartUp } from './scenarios/start-up.ts';
import { measureSubscribers } from './scenarios/subscribers.ts';
import { measureThroughput } from './scenarios/throughput.ts';
import { loadBenchCatalog } from './workload.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const SECTIONS = ['start-up', 'writes', 'failover', 'pressure', 'subscribers', 'catch-up', 'growth'] as const;
type Section = (typeof SECTIONS)[number];

interface Flags {
  quick: boolean;
  only?: Section[];
  profile: boolean;
  profileSeconds: number;
  logLevel: string;
}

function sections(value: string): Section[] {
  const chosen = value.split(',').map((s) => s.trim());
  const unknown = chosen.filter((s) => !SECTIONS.some((known) => known === s));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown section ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
  return SECTIONS.filter((s) => chosen.includes(s));
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 600) throw new InvalidArgumentError('expected a whole number of seconds from 1 to 600');
  return n;
}

const say = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

async function bench(flags: Flags): Promise<void> {
  const mode: Mode = flags.quick ? 'quick' : 'full';
  const plan = { ...PLANS[mode], logLevel: flags.logLevel };
  const chosen = new Set<Section>(flags.only ?? SECTIONS);
  const loadAverageStart = loadavg()[0] ?? 0;
  const started = performance.now();
  const startedAt = new Date().toISOString();
  say(`benchmark (${mode}): ${[...chosen].join(', ')}`);

  const failures: { section: Section; message: string }[] = [];
  // A section that fails is reported as such; the others still run.
  const runSection = async <T>(section: Section, measure: () => Promise<T>, none: T): Promise<T> => {
    if (!chosen.has(section)) return none;
    try {
      return await measure();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      say(`${section} FAILED: ${message}`);
      failures.push({ section, message: message.split('\n')[0] ?? message });
      return none;
    }
  };
  // First, while no cluster of ours loads the machine.
  const startUp = await runSection('start-up', () => measureStartUp(plan, say), null);
  const throughput = await runSection('writes', () => measureThroughput(plan, say), { writes: [], reads: [] });
  const failover = await runSection('failover', () => measureFailover(plan, say), null);
  const pressure = await runSection('pressure', () => measurePressure(plan, say), null);
  const subscribers = await runSection('subscribers', () => measureSubscribers(plan, say), null);
  const catchUp = await runSection('catch-up', () => measureCatchUp(plan, say), []);
  const growth = await runSection('growth', () => measureGrowth(plan, loadBenchCatalog(), say), []);

  const partial: Omit<BenchResult, 'targets'> = {
    mode,
    startedAt,
    seconds: (performance.now() - started) / 1000,
    machine: machine(loadAverageStart),
    startUp,
    ...throughput,
    replicationOverhead: overhead(throughput.writes, plan.headlineConnections),
    failover,
    pressure,
    subscribers,
    catchUp,
    growth,
    failures,
  };
  const result: BenchResult = { ...partial, targets: targets(partial) };
  const text = markdown(result);
  const name = `${startedAt.slice(0, 10)}-${mode}${flags.only ? `-${[...chosen].join('-')}` : ''}`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${RESULTS_DIR}${name}.md`, `${text}\n`);
  if (!flags.only) writeFileSync(`${RESULTS_DIR}latest.md`, `${text}\n`);
  process.stdout.write(`\n${text}\n\nWritten: bench/results/${name}.json, bench/results/${name}.md${flags.only ? '' : ', bench/results/latest.md'}\n`);
  if (failures.length > 0) process.exitCode = 1;
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('bench')
    .description('Benchmarks of Just Hungry on this machine: real processes on 127.0.0.1')
    .addOption(new Option('--quick', 'a short run (under 2 minutes) with rough figures').default(false))
    .addOption(new Option('--only <sections>', `run only these, comma-separated: ${SECTIONS.join(', ')}`).argParser(sections))
    .addOption(new Option('--profile', 'instead: CPU-profile the gateway and replicas under a 3-replica, 64-client write load').default(false))
    .addOption(new Option('--profile-seconds <s>', 'how long the profiled load runs').argParser(seconds).default(15))
    .addOption(new Option('--log-level <level>', "the cluster processes' log level (their last lines are shown when a step fails)").choices(['warn', 'info', 'debug']).default('warn'))
    .exitOverride()
    .action(async (flags: Flags) => {
      if (flags.profile) await profileWrites(flags.profileSeconds, say, RESULTS_DIR);
      else await bench(flags);
    });
  await program.parseAsync(argv);
}

process.once('SIGINT', () => process.exit(130));

main(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof InvalidArgumentError) {
    process.stderr.write(`error: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
