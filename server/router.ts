// The router sends each request to the current primary and, when the primary
// cannot answer, waits for the next view and sends it again with the same
// request id, so a failover costs the client time, never an error or a
// second copy of its write.
import type { Logger } from 'pino';
import { PeerError, callPeer } from '../replicas/http.ts';
import { type Command, type ReadRequest, ReadResponse, WriteResponse } from '../replicas/protocol.ts';
import type { ViewService } from './view-service.ts';
import { sleep } from '../replicas/primary.ts';

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

type Outcome = { ok: true; value: unknown } | { ok: false; errors: { code: string; message: string; field?: string[] }[] };

export class Router {
  constructor(
    private readonly views: ViewService,
    private readonly config: RouterConfig,
  ) {}

  async write(requestId: string, command: Command): Promise<Outcome> {
    const response = await this.send('/write', requestId, (epoch) => ({ epoch, requestId, command }), WriteResponse, true);
    return response.outcome;
  }

  async read(request: ReadRequest, requestId: string): Promise<unknown> {
    const response = await this.send('/read', requestId, () => request, ReadResponse, false);
    return response.value;
  }

  private async send<T extends { ok: boolean }>(
    path: string,
    requestId: string,
    body: (epoch: number) => unknown,
    schema: import('zod').ZodType<T>,
    needsWritable: boolean,
  ): Promise<Extract<T, { ok: true }>> {
    const deadline = Date.now() + this.config.requestDeadlineMs;
    let lastProblem = 'no primary';
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) await sleep(Math.min(100, 5 * attempt));
      const view = this.views.current();
      const url = this.views.primaryUrl();
      const usable = needsWritable ? this.views.writable() : this.views.isLive(view.primary);
      if (!usable || !url || !view.primary) {
        // A failover, a rejoin or a late heartbeat, while enough replicas have
        // been heard from lately to make a view: wait for it (up to the
        // deadline) rather than fail. Only a cluster short of replicas fails fast.
        if (this.views.learning() || this.views.recentlyHeard() >= (needsWritable ? this.views.minReplicas : 1)) continue;
        throw new ServiceUnavailable(needsWritable ? this.unwritableReason() : 'No replica can serve reads right now.');
      }
      try {
        const response = await callPeer(url, path, body(view.epoch), {
          secret: this.config.secret,
          timeoutMs: this.config.callTimeoutMs,
          response: schema,
          requestId,
        });
        this.views.answered(view.primary);
        if (response.ok) return response as Extract<T, { ok: true }>;
        const refusal = response as unknown as { refusal: string; message: string };
        if (refusal.refusal === 'INTERNAL') throw new Error(`replica could not process ${requestId}: ${refusal.message}`);
        lastProblem = `${view.primary}: ${refusal.refusal}`;
      } catch (error) {
        if (!(error instanceof PeerError)) throw error;
        lastProblem = error.message;
        if (error.kind === 'unreachable') this.views.suspect(view.primary);
      }
    }
    this.config.log.warn({ requestId, lastProblem }, 'request deadline passed');
    throw new ServiceUnavailable('The service is busy recovering; please try again.');
  }

  private liveReplicas(): number {
    return this.views.cluster().replicas.filter((r) => r.role !== 'OFFLINE').length;
  }

  private unwritableReason(): string {
    return `Orders cannot be taken right now: ${this.liveReplicas()} replica(s) are up and ${this.views.minReplicas} are needed. Browsing still works.`;
  }
}
