// The id of the GraphQL request being served, carried across awaits, so the
// gateway's log lines and the ids of the writes it sends all name it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const current = new AsyncLocalStorage<{ id: string; writes: number }>();

export const REQUEST_ID_RESPONSE_HEADER = 'x-request-id';

export function withRequestId<T>(run: (id: string) => T): T {
  const id = randomUUID();
  return current.run({ id, writes: 0 }, () => run(id));
}

/**
 * A fresh id for one write of the current request: `<request id>.<n>`. The
 * router sends it with every retry, so the replicas dedupe by it and log it.
 */
export function nextWriteId(): string {
  const request = current.getStore();
  return request ? `${request.id}.${++request.writes}` : randomUUID();
}
