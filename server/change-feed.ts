// The gateway's follower of the primary's committed change feed. It long-polls
// the primary for entries after the last one it handed on, checks that each
// follows the one before (seq and hash chain), and hands them on in order,
// each exactly once. When the view names a new primary it drops the call in
// flight and asks the new one from the same position: a committed entry is on
// every member of the view that committed it, so nothing is missed.
import type { Logger } from 'pino';
import { Effect } from '../replicas/domain/effects.ts';
import { callPeer, describe } from '../replicas/http.ts';
import { chainHash } from '../replicas/hash-chain.ts';
import { type Entry, FeedResponse, type Position } from '../replicas/protocol.ts';
import { sleep } from '../replicas/sleep.ts';
import type { ViewService } from './view-service.ts';

export interface ChangeFeedOptions {
  secret: string;
  /** How long one long poll waits for a commit. */
  waitMs: number;
  /** Most entries in one answer. */
  batchMax: number;
  log: Logger;
}

export interface CommittedChange {
  seq: number;
  requestId: string;
  effect: Effect;
}

export type ChangeListener = (change: CommittedChange) => void;

export class ChangeFeed {
  private position: Position | null = null;
  private readonly listeners = new Set<ChangeListener>();
  private stopped = false;
  private inFlight: AbortController | null = null;
  private primaryUrl: string | null = null;

  constructor(
    private readonly views: ViewService,
    private readonly options: ChangeFeedOptions,
  ) {}

  /** The last seq handed on (0 before the feed has a position). */
  get seq(): number {
    return this.position?.seq ?? 0;
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    this.views.on('view', () => {
      // A new primary: stop waiting on the old one (it may be frozen, not dead).
      if (this.views.primaryUrl() !== this.primaryUrl) this.inFlight?.abort();
    });
    void this.follow();
  }

  stop(): void {
    this.stopped = true;
    this.inFlight?.abort();
  }

  private async follow(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      const url = this.views.primaryUrl();
      this.primaryUrl = url;
      if (!url) {
        await sleep(50);
        continue;
      }
      this.inFlight = new AbortController();
      try {
        const answer = await callPeer(url, '/feed', { after: this.position, waitMs: this.options.waitMs, max: this.options.batchMax }, {
          secret: this.options.secret,
          timeoutMs: this.options.waitMs + 5000,
          response: FeedResponse,
          signal: this.inFlight.signal,
        });
        failures = 0;
        if (answer.kind === 'refused') {
          await sleep(50);
        } else if (answer.kind === 'reset') {
          this.options.log.error({ from: this.position, head: answer.head, reason: answer.message }, 'change feed position lost; resuming at the head (events between are missed)');
          this.position = answer.head;
        } else if (this.position === null) {
          this.position = answer.head;
          this.options.log.info({ position: answer.head }, 'following the change feed');
        } else {
          this.handOn(answer.entries);
        }
      } catch (error) {
        if (!this.stopped && failures++ % 20 === 0) this.options.log.warn({ err: describe(error) }, 'change feed call failed; retrying');
        await sleep(Math.min(500, 25 * failures));
      } finally {
        this.inFlight = null;
      }
    }
  }

  private handOn(entries: Entry[]): void {
    for (const entry of entries) {
      const position = this.position;
      if (!position) return;
      // The primary answered entries after our position; each must extend the chain we have.
      if (entry.seq !== position.seq + 1 || chainHash(position.hash, entry.seq, entry.epoch, entry.requestId, entry.effect) !== entry.hash) {
        this.options.log.error({ position, seq: entry.seq }, 'change feed entry does not follow the last one; asking again');
        return;
      }
      this.position = { seq: entry.seq, hash: entry.hash };
      const change: CommittedChange = { seq: entry.seq, requestId: entry.requestId, effect: Effect.parse(JSON.parse(entry.effect)) };
      for (const listener of this.listeners) listener(change);
    }
  }
}
