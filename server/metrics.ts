// The gateway's Prometheus metrics (GET /metrics): GraphQL requests, errors
// and latency per operation; the cluster as the view service sees it (applied
// seq, lag and replication rounds per replica, failovers); the change feed
// and open subscriptions; and Node's own process metrics.
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ViewService } from './view-service.ts';

export interface GatewayMetricSources {
  views: ViewService;
  changeFeedSeq: () => number;
  subscribers: () => Record<string, number>;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'jh_graphql_requests_total',
    help: 'GraphQL operations executed, by type and name',
    labelNames: ['type', 'operation'] as const,
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'jh_graphql_errors_total',
    help: 'Errors returned, by operation and code (kind: graphql for the errors array, user for UserErrors in payloads)',
    labelNames: ['operation', 'kind', 'code'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'jh_graphql_request_duration_seconds',
    help: 'Time to execute one GraphQL operation (subscriptions: until the first result)',
    labelNames: ['type', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly failovers = new Counter({ name: 'jh_failovers_total', help: 'Times the view service moved the primary to another replica', registers: [this.registry] });
  readonly subscribersCutOff = new Counter({
    name: 'jh_subscribers_cut_off_total',
    help: 'Subscribers closed because they fell too far behind',
    registers: [this.registry],
  });

  constructor(sources: GatewayMetricSources) {
    const { views } = sources;
    collectDefaultMetrics({ register: this.registry });
    let primary = views.current().primary;
    views.on('view', () => {
      const next = views.current().primary;
      if (primary !== null && next !== primary) this.failovers.inc();
      primary = next;
    });
    const registers = [this.registry];
    new Gauge({
      name: 'jh_view_epoch',
      help: 'Epoch of the current view',
      registers,
      collect() {
        this.set(views.current().epoch);
      },
    });
    new Gauge({
      name: 'jh_cluster_writable',
      help: '1 when the cluster can take an order (as /readyz: a writable view and the catalogue in place)',
      registers,
      collect() {
        this.set(views.notReadyReason() === null ? 1 : 0);
      },
    });
    new Gauge({
      name: 'jh_replica_applied_seq',
      help: 'Last applied log seq per replica, from its latest heartbeat',
      labelNames: ['replica', 'role'] as const,
      registers,
      collect() {
        this.reset();
        for (const replica of views.cluster().replicas) this.set({ replica: replica.name, role: replica.role }, replica.appliedSeq);
      },
    });
    new Gauge({
      name: 'jh_replica_lag_entries',
      help: "How many log entries each replica is behind the primary's committed seq",
      labelNames: ['replica'] as const,
      registers,
      collect() {
        this.reset();
        const cluster = views.cluster();
        const head = cluster.primary?.appliedSeq ?? Math.max(0, ...cluster.replicas.map((r) => r.appliedSeq));
        for (const replica of cluster.replicas) this.set({ replica: replica.name }, Math.max(0, head - replica.appliedSeq));
      },
    });
    new Gauge({
      name: 'jh_replication_rounds',
      help: 'Replication rounds committed by each replica while primary (since it started)',
      labelNames: ['replica'] as const,
      registers,
      collect() {
        this.reset();
        for (const [name, rounds] of views.roundStats()) this.set({ replica: name }, rounds.count);
      },
    });
    new Gauge({
      name: 'jh_replication_round_seconds_sum',
      help: 'Total time of those rounds (sum / rounds = mean round time)',
      labelNames: ['replica'] as const,
      registers,
      collect() {
        this.reset();
        for (const [name, rounds] of views.roundStats()) this.set({ replica: name }, rounds.seconds);
      },
    });
    new Gauge({
      name: 'jh_change_feed_seq',
      help: 'Last committed seq the gateway has published to subscribers',
      registers,
      collect() {
        this.set(sources.changeFeedSeq());
      },
    });
    new Gauge({
      name: 'jh_subscriptions_open',
      help: 'Open subscriptions per feed',
      labelNames: ['feed'] as const,
      registers,
      collect() {
        // A feed nobody follows any more is absent from the counts: reset, so it reads 0 rather than its last value.
        this.reset();
        for (const [feed, count] of Object.entries(sources.subscribers())) this.set({ feed }, count);
      },
    });
  }

  /** A yoga plugin that counts and times every operation. */
  plugin(): Plugin {
    return {
      onExecute: ({ args }) => {
        const definition = getOperationAST(args.document, args.operationName);
        const type = definition?.operation ?? 'unknown';
        const operation = definition?.name?.value ?? 'anonymous';
        const labels = { type, operation };
        this.requests.inc(labels);
        const stop = this.duration.startTimer(labels);
        return {
          onExecuteDone: ({ result }) => {
            stop();
            if (!('errors' in result) && !('data' in result)) return;
            for (const error of result.errors ?? []) this.errors.inc({ operation, kind: 'graphql', code: String(error.extensions?.code ?? 'INTERNAL') });
            for (const code of userErrorCodes(result.data)) this.errors.inc({ operation, kind: 'user', code });
          },
        };
      },
    };
  }
}

/** Codes of the UserErrors in a mutation's or query's payloads (`{ field: { errors: [{ code }] } }`). */
function userErrorCodes(data: unknown): string[] {
  if (!data || typeof data !== 'object') return [];
  const codes: string[] = [];
  for (const payload of Object.values(data)) {
    const errors = payload && typeof payload === 'object' && 'errors' in payload ? payload.errors : null;
    if (!Array.isArray(errors)) continue;
    for (const error of errors) if (error && typeof error === 'object' && 'code' in error) codes.push(String(error.code));
  }
  return codes;
}
