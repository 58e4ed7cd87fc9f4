// How a client must read an operation's outcome: an `ok` happened; a `fail`
// with a definite code did not; an `unknown` (timeout, dropped connection) or
// a SERVICE_UNAVAILABLE (the gateway gave up waiting, but its request may
// still have been applied) may or may not have happened. One rule for the
// workload (whether to retry) and every check.
import type { Op } from './history.ts';

/** Codes after which a write may still have been applied. */
const INDETERMINATE_CODES = new Set(['SERVICE_UNAVAILABLE']);

export function mayHaveApplied(op: Op): boolean {
  return op.outcome === 'ok' || op.outcome === 'unknown' || (op.outcome === 'fail' && INDETERMINATE_CODES.has(op.code ?? ''));
}
