// A replica's own Prometheus metrics (GET /metrics on the replica): the time
// of each replication round it commits as primary, its position and role.
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Position, Role } from './protocol.ts';

export class ReplicaMetrics {
  readonly registry = new Registry();
  readonly roundSeconds = new Histogram({
    name: 'jh_replication_round_seconds',
    help: 'One replication round as primary: run the batch, ship it to every backup, commit',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(state: () => { role: Role; epoch: number; position: Position }) {
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    new Gauge({
      name: 'jh_replica_applied_seq',
      help: 'Last applied log seq (committed seq on a primary)',
      registers,
      collect() {
        this.set(state().position.seq);
      },
    });
    new Gauge({
      name: 'jh_replica_epoch',
      help: 'Epoch of the view this replica follows',
      registers,
      collect() {
        this.set(state().epoch);
      },
    });
    new Gauge({
      name: 'jh_replica_role',
      help: '1 for the role this replica has now',
      labelNames: ['role'] as const,
      registers,
      collect() {
        this.reset();
        this.set({ role: state().role }, 1);
      },
    });
  }
}
