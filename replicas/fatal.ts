// A broken invariant stops the process: a visible restart, never silent
// divergence or data loss. The log line says what broke.
import type { Logger } from 'pino';

/** Exit code of a process stopped by a broken invariant. */
export const FATAL_EXIT_CODE = 70;

export function fatal(log: Logger, message: string, details: Record<string, unknown> = {}): never {
  log.fatal(details, `invariant broken, stopping: ${message}`);
  // pino writes to stdout synchronously by default, so the line is out before the exit.
  process.exit(FATAL_EXIT_CODE);
}
