// A broken invariant stops the process: a visible restart, never silent
// divergence or data loss. The log line says what broke.
import type { Logger } from 'pino';
import { InvariantBroken } from './core/invariant.ts';

/** Exit code of a process stopped by a broken invariant. */
export const FATAL_EXIT_CODE = 70;

/** Stops the process if `error` is a broken invariant; otherwise does nothing (the caller handles it). */
export function fatalIfBroken(log: Logger, error: unknown): void {
  if (error instanceof InvariantBroken) fatal(log, error.message.replace(/^invariant broken: /, ''));
}

export function fatal(log: Logger, message: string, details: Record<string, unknown> = {}): never {
  log.fatal(details, `invariant broken, stopping: ${message}`);
  // pino writes to stdout synchronously by default, so the line is out before the exit.
  process.exit(FATAL_EXIT_CODE);
}
