// `npm run chaos` flags, parsed and checked once (commander). A bad or
// unknown flag prints one line naming it; the caller exits with code 2.
import { randomInt } from 'node:crypto';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';

export const FAULT_KINDS = ['kill', 'pause', 'restart', 'partition', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosOptions {
  seed: number;
  durationMs: number;
  clients: number;
  /** Staff moving orders along (kitchen, courier, operator, in turn); 0 leaves every order PLACED unless cancelled. */
  staff: number;
  replicas: number;
  faults: FaultKind[];
  /** Where `<seed>.json` (history and summary) and the processes' logs go. */
  outDir: string;
  /** A client request taking longer is abandoned: its outcome is unknown. */
  requestTimeoutMs: number;
  /** Keep the cluster's data directory (SQLite files, view.json) after the run. */
  keepData: boolean;
}

export const DEFAULTS = {
  durationMs: 60_000,
  clients: 16,
  staff: 3,
  replicas: 3,
  outDir: 'chaos-results',
  requestTimeoutMs: 5000,
} as const;

const SEED_MAX = 2 ** 32 - 1;
const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `500ms`, `60s`, `10m`, `1h`; a bare number is seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 90s, 10m or 500ms.');
  const ms = Math.round(Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? 's'] ?? 1000));
  if (ms < 1) throw new InvalidArgumentError('expected a duration above zero.');
  return ms;
}

function integer(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** `kill,pause,...`; `none` (or an empty list) runs the workload with no faults. */
export function parseFaults(text: string): FaultKind[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0 && s !== 'none');
  const unknown = names.filter((name) => !(FAULT_KINDS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown fault "${unknown.join('", "')}": use ${FAULT_KINDS.join(',')} or none.`);
  return FAULT_KINDS.filter((kind) => names.includes(kind));
}

function command(): Command {
  return new Command('chaos')
    .description('Runs a real cluster under a random workload and random faults from a seed, then checks the history.')
    .addOption(new Option('--seed <n>', 'seed of the workload and the fault schedule (default: random, printed)').argParser(integer(0, SEED_MAX)))
    .addOption(new Option('--duration <time>', 'how long the workload and faults run (e.g. 60s, 10m)').argParser(parseDuration).default(DEFAULTS.durationMs, '60s'))
    .addOption(new Option('--clients <n>', 'concurrent clients, each one customer at a time').argParser(integer(1, 256)).default(DEFAULTS.clients))
    .addOption(new Option('--staff <n>', 'staff moving orders along: a kitchen, a courier and an operator in turn (0 for none)').argParser(integer(0, 12)).default(DEFAULTS.staff))
    .addOption(new Option('--replicas <n>', 'replicas to run (writes need 2, so faults hit one at a time)').argParser(integer(3, 9)).default(DEFAULTS.replicas))
    .addOption(new Option('--faults <list>', `comma-separated: ${FAULT_KINDS.join(',')} (or none)`).argParser(parseFaults).default([...FAULT_KINDS], FAULT_KINDS.join(',')))
    .addOption(new Option('--out <dir>', 'where <seed>.json (history and summary) and the logs are written').default(DEFAULTS.outDir))
    .addOption(new Option('--request-timeout <time>', 'a client gives up on a request after this; its outcome is then unknown').argParser(parseDuration).default(DEFAULTS.requestTimeoutMs, '5s'))
    .addOption(new Option('--keep-data', "keep the cluster's data directory after the run"))
    .showSuggestionAfterError(false)
    .allowExcessArguments(false)
    .exitOverride();
}

export type Parsed = { ok: true; options: ChaosOptions } | { ok: false; exitCode: number };

/** Parses `argv` (with node and script first); commander has printed any error or help by the time this returns. */
export function parseOptions(argv: string[]): Parsed {
  const program = command();
  try {
    program.parse(argv);
  } catch (error) {
    if (error instanceof CommanderError) return { ok: false, exitCode: error.exitCode === 0 ? 0 : 2 };
    throw error;
  }
  const flags = program.opts<{
    seed?: number;
    duration: number;
    clients: number;
    staff: number;
    replicas: number;
    faults: FaultKind[];
    out: string;
    requestTimeout: number;
    keepData?: boolean;
  }>();
  return {
    ok: true,
    options: {
      seed: flags.seed ?? randomInt(0, 2 ** 31),
      durationMs: flags.duration,
      clients: flags.clients,
      staff: flags.staff,
      replicas: flags.replicas,
      faults: flags.faults,
      outDir: flags.out,
      requestTimeoutMs: flags.requestTimeout,
      keepData: flags.keepData ?? false,
    },
  };
}
