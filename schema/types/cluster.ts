import type { ClusterInfo, ReplicaInfo, ReplicaStatusEvent } from '../services.ts';
import { builder } from '../builder.ts';

// The cluster's internals (where replicas listen, when they were last heard
// from, each change of role) are for operators; whether orders can be taken
// is for everyone (a customer's app says so).
export const OPERATOR = { operator: true } as const;

export const ReplicaRoleRef = builder.enumType('ReplicaRole', { values: ['PRIMARY', 'BACKUP', 'CATCHING_UP', 'OFFLINE'] as const });

export const ReplicaRef = builder.objectRef<ReplicaInfo>('Replica').implement({
  description: 'A replica as the view service sees it.',
  fields: (t) => ({
    name: t.exposeString('name'),
    url: t.exposeString('url', { authScopes: OPERATOR, description: 'Where the replica listens. Operators only: for any other token (or none) a FORBIDDEN error, and, as this cannot be null, the replica is null with it (up to the nearest field that may be null).' }),
    role: t.field({ type: ReplicaRoleRef, resolve: (r) => r.role }),
    appliedSeq: t.exposeInt('appliedSeq'),
    lastHeartbeatAt: t.exposeString('lastHeartbeatAt', { nullable: true, authScopes: OPERATOR, description: 'When the view service last heard from the replica. Operators only: null with a FORBIDDEN error for any other token (or none).' }),
  }),
});

export const ClusterRef = builder.objectRef<ClusterInfo>('Cluster').implement({
  description: 'The current view: epoch, primary, and every known replica.',
  fields: (t) => ({
    epoch: t.exposeInt('epoch'),
    writable: t.exposeBoolean('writable', {
      description: 'Whether orders can be taken now (a live primary that holds every committed write, enough replicas in the view, and the catalogue loaded). GET /readyz gives the same answer.',
    }),
    unwritableReason: t.exposeString('unwritableReason', {
      nullable: true,
      description: 'Why orders cannot be taken now, in words for an operator (e.g. no live replica holds every committed write, or the catalogue is not loaded yet); null when they can.',
    }),
    primary: t.field({ type: ReplicaRef, nullable: true, resolve: (c) => c.primary }),
    replicas: t.field({ type: [ReplicaRef], resolve: (c) => c.replicas }),
  }),
});

export const ReplicaStatusEventRef = builder.objectRef<ReplicaStatusEvent>('ReplicaStatusEvent').implement({
  fields: (t) => ({
    replica: t.field({ type: ReplicaRef, resolve: (e) => e.replica }),
    previousRole: t.field({ type: ReplicaRoleRef, nullable: true, resolve: (e) => e.previousRole }),
    epoch: t.exposeInt('epoch'),
    at: t.exposeString('at'),
  }),
});
