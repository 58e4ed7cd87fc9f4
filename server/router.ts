// The router sends each request to the current primary and, when the primary
// cannot answer, waits for the next view and sends it again with the same
// request id, so a failover costs the client time, never an error or a
// second copy of its write. Writes that arrive together travel together: one
// call to the primary carries every write waiting at that moment.
import type { Logger } from 'pino';
import { PeerError, callPeer } from '../replicas/http.ts';
import { type Command, type ReadRequest, ReadResponse, WRITE_BATCH_MAX, WriteBatchResponse } from '../replicas/protocol.ts';
import { sleep } from '../replicas/sleep.ts';
import type { ViewService } from './view-service.ts';

export interface RouterConfig {
  secret: string;
  /** How long one request may keep trying before the client is told the service is unavailable. */
  requestDeadlineMs: number;
  /** How long one call to a replica may take before it is sent again. */
  callTimeoutMs: number;
  log: Logger;
}

/** The cluster cannot serve the request now; the client may try again later. */
export class ServiceUnavailable extends Error {}

/** The primary refused the request itself as malformed: sending it again cannot help. The message is for the client. */
export class RequestRefused extends Error {}

type Outcome = { ok: true; value: unknown } | { ok: false; errors: { code: string; message: string; field?: string[] }[] };

const RECOVERING = 'The service is busy recovering; please try again.';

/** The pause before sending a request again: short, as a new view usually takes a few heartbeats. */
const backoffMs = (attempt: number) => Math.min(100, 5 * attempt);

/** Batch calls to the primary that may be under way at once. */
const WRITE_BATCHES_IN_FLIGHT_MAX = 4;

const MALFORMED = 'The service refused this request as malformed.';

/**
 * What a 4xx answer from a peer becomes: the request itself was refused, so
 * it fails at once instead of being sent again until its deadline. 401/403
 * mean this gateway's cluster secret is wrong (a setup error, not the
 * client's); any other 4xx, that the request is malformed. Null for anything
 * else (5xx, timeouts, lost connections), which is retried as before.
 */
function refusedByPeer(error: PeerError): Error | null {
  if (error.kind !== 'bad-response' || error.status === null || error.status < 400 || error.status > 499) return null;
  if (error.status === 401 || error.status === 403) return new Error(`the primary refused the cluster secret: ${error.message}`);
  return new RequestRefused(MALFORMED);
}

interface QueuedWrite {
  requestId: string;
  command: Command;
  deadline: number;
  attempt: number;
  lastProblem: string;
  resolve: (outcome: Outcome) => void;
  reject: (error: Error) => void;
}

export class Router {
  private readonly waiting: QueuedWrite[] = [];
  private batchesInFlight = 0;
  private flushScheduled = false;
  /** Calls under way, by the primary they went to: a new primary cuts them short (they go to it at once). */
  private readonly calls = new Set<{ primary: string; abort: AbortController }>();

  constructor(
    private readonly views: ViewService,
    private readonly config: RouterConfig,
  ) {
    // A frozen or cut-off primary answers nothing until its call times out; once the view has another
    // primary, waiting on it only delays the client. Sent again with the same request ids: exactly once.
    views.on('view', (view) => {
      for (const call of this.calls) if (call.primary !== view.primary) call.abort.abort();
    });
  }

  /** Runs a call to `primary` that a new view cuts short; `superseded` says whether it was. */
  private async toPrimary<T>(primary: string, call: (signal: AbortSignal) => Promise<T>): Promise<{ answer: T } | { superseded: true } | { error: unknown }> {
    const entry = { primary, abort: new AbortController() };
    this.calls.add(entry);
    try {
      return { answer: await call(entry.abort.signal) };
    } catch (error) {
      return entry.abort.signal.aborted ? { superseded: true } : { error };
    } finally {
      this.calls.delete(entry);
    }
  }

  write(requestId: string, command: Command): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ requestId, command, deadline: Date.now() + this.config.requestDeadlineMs, attempt: 0, lastProblem: 'no primary', resolve, reject });
      this.scheduleFlush(0);
    });
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const run = () => {
      this.flushScheduled = false;
      this.flush();
    };
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  }

  /** Sends what is waiting to the primary, or waits for a writable view, or gives up on what is past its deadline. */
  private flush(): void {
    const now = Date.now();
    const late = this.waiting.filter((w) => w.deadline <= now);
    if (late.length > 0) {
      this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((w) => w.deadline > now));
      for (const write of late) {
        this.config.log.warn({ requestId: write.requestId, lastProblem: write.lastProblem }, 'request deadline passed');
        write.reject(new ServiceUnavailable(RECOVERING));
      }
    }
    if (this.waiting.length === 0 || this.batchesInFlight >= WRITE_BATCHES_IN_FLIGHT_MAX) return;
    const view = this.views.current();
    const url = this.views.primaryUrl();
    if (!this.views.writable() || !url || !view.primary) {
      if (this.shouldWait(true)) return this.scheduleFlush(20);
      const reason = this.unwritableReason();
      for (const write of this.waiting.splice(0)) write.reject(new ServiceUnavailable(reason));
      return;
    }
    const batch = this.waiting.splice(0, WRITE_BATCH_MAX);
    this.batchesInFlight++;
    void this.sendBatch(url, view.primary, view.epoch, batch).finally(() => {
      this.batchesInFlight--;
      if (this.waiting.length > 0) this.scheduleFlush(0);
    });
    if (this.waiting.length > 0) this.scheduleFlush(0);
  }

  private async sendBatch(url: string, primary: string, epoch: number, batch: QueuedWrite[]): Promise<void> {
    const requests = batch.map((w) => ({ epoch, requestId: w.requestId, command: w.command }));
    const sent = await this.toPrimary(primary, (signal) =>
      callPeer(url, '/write-batch', { requests }, { secret: this.config.secret, timeoutMs: this.config.callTimeoutMs, response: WriteBatchResponse, signal }),
    );
    if ('superseded' in sent) {
      for (const write of batch) write.lastProblem = `${primary} was replaced while the call was under way`;
      return this.again(batch);
    }
    let answers;
    if ('answer' in sent) {
      answers = sent.answer.answers;
      this.views.answered(primary);
    } else {
      const { error } = sent;
      if (!(error instanceof PeerError)) {
        for (const write of batch) write.reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      const final = refusedByPeer(error);
      if (final) {
        this.config.log.warn({ requestIds: batch.map((w) => w.requestId), err: error.message }, 'the primary refused a write batch');
        for (const write of batch) write.reject(final);
        return;
      }
      if (error.kind === 'unreachable' || error.kind === 'timeout') this.views.unanswered(primary, error.kind);
      for (const write of batch) write.lastProblem = error.message;
      return this.again(batch);
    }
    const again: QueuedWrite[] = [];
    batch.forEach((write, i) => {
      const answer = answers[i];
      if (answer?.ok) return write.resolve(answer.outcome);
      if (answer?.refusal === 'INTERNAL') return write.reject(new Error(`replica could not process ${write.requestId}: ${answer.message}`));
      if (answer?.refusal === 'INVALID_REQUEST') {
        this.config.log.warn({ requestId: write.requestId, problem: answer.message }, 'the primary refused a write as malformed');
        return write.reject(new RequestRefused(`${MALFORMED} ${answer.message}`));
      }
      write.lastProblem = answer ? `${primary}: ${answer.refusal}` : `${primary}: no answer`;
      again.push(write);
    });
    this.again(again);
  }

  /** Writes to send again, with the same request ids, after a short back-off. */
  private again(writes: QueuedWrite[]): void {
    if (writes.length === 0) return;
    const attempt = Math.max(...writes.map((w) => ++w.attempt));
    setTimeout(() => {
      this.waiting.unshift(...writes);
      this.scheduleFlush(0);
    }, backoffMs(attempt));
  }

  /**
   * A failover, a rejoin or a late heartbeat, while enough replicas have been
   * heard from lately to make a view: wait for it (up to the deadline) rather
   * than fail. Only a cluster short of replicas fails fast.
   */
  private shouldWait(needsWritable: boolean): boolean {
    return this.views.learning() || this.views.recentlyHeard() >= (needsWritable ? this.views.minReplicas : 1);
  }

  async read(request: ReadRequest, requestId: string): Promise<unknown> {
    const deadline = Date.now() + this.config.requestDeadlineMs;
    let lastProblem = 'no primary';
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt));
      const view = this.views.current();
      const url = this.views.primaryUrl();
      if (!this.views.isLive(view.primary) || !url || !view.primary) {
        if (this.shouldWait(false)) continue;
        throw new ServiceUnavailable('No replica can serve reads right now.');
      }
      const primary = view.primary;
      try {
        const sent = await this.toPrimary(primary, (signal) =>
          callPeer(url, '/read', request, { secret: this.config.secret, timeoutMs: this.config.callTimeoutMs, response: ReadResponse, requestId, signal }),
        );
        if ('superseded' in sent) {
          lastProblem = `${primary} was replaced while the call was under way`;
          continue;
        }
        if ('error' in sent) throw sent.error;
        const response = sent.answer;
        this.views.answered(primary);
        if (response.ok) return response.value;
        if (response.refusal === 'INTERNAL') throw new Error(`replica could not process ${requestId}: ${response.message}`);
        if (response.refusal === 'INVALID_REQUEST') throw new RequestRefused(`${MALFORMED} ${response.message}`);
        lastProblem = `${view.primary}: ${response.refusal}`;
      } catch (error) {
        if (!(error instanceof PeerError)) throw error;
        const final = refusedByPeer(error);
        if (final) {
          this.config.log.warn({ requestId, err: error.message }, 'the primary refused a read');
          throw final;
        }
        lastProblem = error.message;
        if (error.kind === 'unreachable' || error.kind === 'timeout') this.views.unanswered(view.primary, error.kind);
      }
    }
    this.config.log.warn({ requestId, lastProblem }, 'request deadline passed');
    throw new ServiceUnavailable(RECOVERING);
  }

  private unwritableReason(): string {
    // The operator's details (which replica, which seq) are in the cluster query, /readyz and the logs.
    if (this.views.isStuck()) return 'Orders cannot be taken right now: the service is waiting for a server that holds the latest orders. Browsing still works.';
    return `Orders cannot be taken right now: ${this.views.recentlyHeard()} replica(s) are up and ${this.views.minReplicas} are needed. Browsing still works.`;
  }
}
