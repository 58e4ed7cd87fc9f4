// Waiting on real processes, shared by the tests, the chaos harness and the
// benchmarks: a free port to start one on, and polling for a condition with a
// deadline instead of sleeping. It lives in cli/ beside `spawnCommand`
// (cli/up.ts), the way all three already start processes, so tools need not
// import from test/ and no new top-level folder is needed.
import { createServer } from 'node:net';

/** A port nothing listens on now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Thrown by a `waitFor` check to stop waiting at once. */
export class GiveUp extends Error {}

/** Polls `check` until it gives a value; an error in a check is remembered and the polling goes on. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 20_000,
  pollMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}
