// The id of the GraphQL request being served, carried across awaits, so the
// gateway's log lines and the ids of the writes it sends all name it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { v7 as timeOrderedUuid } from 'uuid';

const current = new AsyncLocalStorage<{ id: string; writes: number }>();

export const REQUEST_ID_RESPONSE_HEADER = 'x-request-id';

/**
 * Request ids are time-ordered (UUIDv7): each replica's dedupe index then
 * grows at its end, like its log, instead of at random places that a large
 * store no longer holds in memory.
 */
export function withRequestId<T>(run: (id: string) => T): T {
  const id = timeOrderedUuid();
  return current.run({ id, writes: 0 }, () => run(id));
}

/**
 * A fresh id for one write of the current request: `<request id>.<n>`. The
 * router sends it with every retry, so the replicas dedupe by it and log it.
 */
export function nextWriteId(): string {
  const request = current.getStore();
  return request ? `${request.id}.${++request.writes}` : timeOrderedUuid();
}
