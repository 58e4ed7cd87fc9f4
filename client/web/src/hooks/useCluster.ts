// The cluster as the gateway's view service sees it: the view from the query
// (refreshed every moment while the page is open, for the applied seqs) and
// from `clusterChanged`, whichever came last. Anyone gets the public view
// (ClusterFields: whether orders are taken and why not, replica names, roles
// and seqs); a client with an operator's token gets the operator's view
// (OperatorClusterFields: where each replica listens, its last heartbeat) and
// the role changes from `replicaStatusChanged`. Asking for an operator's field
// without an operator's token fails the whole query (FORBIDDEN), so each view
// asks only for its own fields.
import { useCallback, useEffect, useState } from 'react';
import { type TypedDocumentNode, useQuery } from 'urql';
import {
  ClusterChangedSubscription,
  ClusterQuery,
  OperatorClusterChangedSubscription,
  OperatorClusterQuery,
  ReplicaStatusChangedSubscription,
} from '../../../operations.js';
import type { ClusterFieldsFragment, OperatorClusterFieldsFragment, ReplicaStatusChangedSubscription as ReplicaEventData } from '../../../gql/graphql.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';
import { hasErrorCode } from '../errors.js';

export type ClusterInfo = ClusterFieldsFragment;
export type OperatorClusterInfo = OperatorClusterFieldsFragment;
export type ReplicaEvent = ReplicaEventData['replicaStatusChanged'];

export const CLUSTER_REFRESH_MS = 1_000;
export const EVENTS_SHOWN_MAX = 12;

export interface ClusterView<C> {
  cluster: C | null;
  error: string | null;
  /** The gateway refused the token for this view (an operator's, removed since it was checked). */
  forbidden: boolean;
}

type NoVariables = Record<string, never>;

function useClusterView<C>(query: TypedDocumentNode<{ cluster: C }, NoVariables>, changed: TypedDocumentNode<{ clusterChanged: C }, NoVariables>): ClusterView<C> {
  const [result, reexecute] = useQuery<{ cluster: C }, NoVariables>({ query, variables: {}, requestPolicy: 'network-only' });
  const [pushed, setPushed] = useState<{ cluster: C; after: unknown } | null>(null);

  useLiveFeed(changed, ({ clusterChanged }) => setPushed({ cluster: clusterChanged, after: result.data }));
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch, CLUSTER_REFRESH_MS);

  // Whichever came last: a pushed view, or the answer to the latest poll.
  const cluster = pushed && pushed.after === result.data ? pushed.cluster : (result.data?.cluster ?? pushed?.cluster ?? null);
  const forbidden = hasErrorCode(result.error, 'FORBIDDEN');
  return { cluster, forbidden, error: result.error && !cluster ? 'The cluster status could not be loaded.' : null };
}

/** What anyone may see (the customer's client, or any staff's). */
export function usePublicCluster(): ClusterView<ClusterInfo> {
  return useClusterView(ClusterQuery, ClusterChangedSubscription);
}

/** Everything, for a client that sends an operator's token. */
export function useOperatorCluster(): ClusterView<OperatorClusterInfo> {
  return useClusterView(OperatorClusterQuery, OperatorClusterChangedSubscription);
}

/** Replicas' role changes since the page opened, newest first (operators only). */
export function useReplicaEvents(): ReplicaEvent[] {
  const [events, setEvents] = useState<ReplicaEvent[]>([]);
  useLiveFeed(ReplicaStatusChangedSubscription, ({ replicaStatusChanged }) => setEvents((previous) => [replicaStatusChanged, ...previous].slice(0, EVENTS_SHOWN_MAX)));
  return events;
}
