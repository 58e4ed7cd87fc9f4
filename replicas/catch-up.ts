// A replica outside the view pulls what it lacks from the primary (the log
// suffix, or a snapshot when its last entry is not on the primary's log), then
// asks to join. The primary adds it to the view only once it is exactly level.
import { callPeer } from './http.ts';
import { CatchUpResponse, JoinResponse, type Position } from './protocol.ts';
import type { Store } from './store.ts';

export interface CatchUpLink {
  readonly name: string;
  readonly secret: string;
  primaryUrl(): string | null;
  stillCatchingUp(): boolean;
  /** Pulls the primary's snapshot stream and installs it; 'refused' when it lacks writes known to be committed. */
  pullSnapshot(primaryUrl: string): Promise<Position | 'refused'>;
}

export interface CatchUpLimits {
  /** Join once this close to the primary; the rest comes inside the join. */
  joinLagMax: number;
  timeoutMs: number;
  /** Aborted when the view names another primary: a deposed one may never answer a join. */
  signal?: AbortSignal;
}

/**
 * Pulls until level, then joins. The next chunk is asked for while this one
 * is being applied, so the primary reading and the replica writing overlap.
 * Resolves when a join was granted; throws on a failed call.
 */
export async function catchUpAndJoin(store: Store, link: CatchUpLink, limits: CatchUpLimits): Promise<boolean> {
  const options = { secret: link.secret, timeoutMs: limits.timeoutMs, ...(limits.signal ? { signal: limits.signal } : {}) };
  const pull = (url: string, position: Position) => callPeer(url, '/catchup', { name: link.name, position }, { ...options, response: CatchUpResponse });
  let ahead = null as { url: string; answer: Promise<CatchUpResponse> } | null;
  try {
    for (;;) {
      const url = link.primaryUrl();
      if (!url || !link.stillCatchingUp()) return false;
      const answer: CatchUpResponse = await (ahead?.url === url ? ahead.answer : pull(url, store.head));
      ahead = null;
      if (answer.kind === 'refused') return false;
      if (answer.kind === 'snapshot') {
        const installed = await link.pullSnapshot(url);
        if (installed === 'refused') throw new Error("the primary's snapshot lacks writes this replica knows are committed: refused");
        if (answer.primarySeq - store.head.seq <= limits.joinLagMax) break;
        continue;
      }
      const last = answer.entries.at(-1);
      const level = answer.primarySeq - (last?.seq ?? answer.after.seq) <= limits.joinLagMax;
      if (last && !level) ahead = { url, answer: pull(url, { seq: last.seq, hash: last.hash }) };
      if (answer.entries.length > 0 && store.applyShipped(answer.after, answer.entries) !== 'ok') return false;
      if (level) break;
    }
  } finally {
    // A chunk asked for ahead and no longer wanted: its failure is nobody's concern.
    ahead?.answer.catch(() => undefined);
  }
  const joined = await callPeer(url(link), '/join', { name: link.name, position: store.head }, {
    ...options,
    timeoutMs: limits.timeoutMs * 10,
    response: JoinResponse,
  });
  return joined.ok;
}

function url(link: CatchUpLink): string {
  const primary = link.primaryUrl();
  if (!primary) throw new Error('the primary went away');
  return primary;
}
