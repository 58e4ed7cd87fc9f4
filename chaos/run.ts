// `npm run chaos -- --seed S --duration 60s --clients 16 --staff 3 --replicas 3 --faults kill,pause,restart,partition,slow`
// Exit codes: 0 no violation, 1 violations (printed with the seed and the
// history that shows them), 2 a bad flag, 3 the harness itself could not run.
import { relative } from 'node:path';
import { runChaos } from './harness.ts';
import { parseOptions } from './options.ts';
import { formatSummary, formatViolation } from './summary.ts';

const VIOLATIONS_PRINTED_MAX = 20;

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv);
  if (!parsed.ok) return parsed.exitCode;
  const { options } = parsed;
  const result = await runChaos(options, { progress: (line) => process.stdout.write(`${line}\n`) });
  process.stdout.write(`\n${formatSummary(result.summary)}\n`);
  const where = result.resultFile ? relative(process.cwd(), result.resultFile) : null;
  if (result.violations.length > 0) {
    process.stdout.write(`\n${result.violations.length} violation(s) with seed ${options.seed}; the history that shows them:\n`);
    for (const violation of result.violations.slice(0, VIOLATIONS_PRINTED_MAX)) process.stdout.write(`\n${formatViolation(result.history, violation)}\n`);
    if (result.violations.length > VIOLATIONS_PRINTED_MAX) process.stdout.write(`\n... and ${result.violations.length - VIOLATIONS_PRINTED_MAX} more in the results file\n`);
    process.stdout.write(`\nrerun: npm run chaos -- --seed ${options.seed} --duration ${options.durationMs}ms --clients ${options.clients} --staff ${options.staff} --replicas ${options.replicas} --faults ${options.faults.join(',') || 'none'}\n`);
  }
  if (where) process.stdout.write(`history and summary: ${where} (process logs in ${where.replace(/\.json$/, '-logs')}/)\n`);
  return result.violations.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: the harness could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(3);
  },
);
