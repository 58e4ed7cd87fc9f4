// npm run sim: the seeded simulator from the command line.
//   npm run sim -- --seed S           replay one seed, printing its event trace
//   npm run sim -- --seeds N [--from F]  a long search; each failing seed prints the command that replays it
//   --bug NAME                        run a deliberately broken variant (see sim/world.ts)
import { parseArgs } from 'node:util';
import { BUGS, type Bug, simulate } from './world.ts';

function fail(message: string): never {
  process.stderr.write(`sim: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({ options: { seed: { type: 'string' }, seeds: { type: 'string' }, from: { type: 'string' }, bug: { type: 'string' } }, strict: true });
  } catch (error) {
    return fail(`${(error as Error).message} (use --seed S, or --seeds N [--from F], and --bug NAME)`);
  }
})();

const integer = (flag: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) fail(`--${flag} must be a whole number from 0 to 4294967295, not "${text}"`);
  return n;
};
const bug = values.bug as Bug | undefined;
if (bug !== undefined && !BUGS.includes(bug)) fail(`--bug must be one of ${BUGS.join(', ')}, not "${values.bug}"`);
const replay = (seed: number) => `npm run sim -- --seed ${seed}${bug ? ` --bug ${bug}` : ''}`;

if (values.seed !== undefined) {
  const seed = integer('seed', values.seed, 0);
  const result = simulate(seed, { bug, trace: (line) => process.stdout.write(`${line}\n`) });
  const { violations, ...counts } = result;
  process.stdout.write(`${JSON.stringify(counts)}\n`);
  for (const v of violations) process.stdout.write(`violation at ${v.at} ms: ${v.what}\n`);
  process.exit(violations.length > 0 ? 1 : 0);
}

const seeds = integer('seeds', values.seeds, 1000);
const from = integer('from', values.from, 1);
let failed = 0;
const started = performance.now();
for (let seed = from; seed < from + seeds; seed++) {
  const result = simulate(seed, { bug });
  if (result.violations.length === 0) continue;
  failed++;
  process.stdout.write(`seed ${seed}: ${result.violations[0]?.what}\n  replay: ${replay(seed)}\n`);
}
process.stdout.write(`${seeds - failed} passed, ${failed} failed (${seeds} seeds from ${from} in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
process.exit(failed > 0 ? 1 : 0);
