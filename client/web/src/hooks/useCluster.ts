// The cluster as the gateway's view service sees it: the view from
// `clusterChanged`, role changes from `replicaStatusChanged` (kept as a short
// log), and applied seqs refreshed every moment while the panel is open.
import { useCallback, useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { ClusterChangedSubscription, ClusterQuery, ReplicaStatusChangedSubscription } from '../../../operations.js';
import type { ClusterFieldsFragment, ReplicaStatusChangedSubscription as ReplicaEventData } from '../../../gql/graphql.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';

export type ClusterInfo = ClusterFieldsFragment;
export type ReplicaEvent = ReplicaEventData['replicaStatusChanged'];

export const CLUSTER_REFRESH_MS = 1_000;
export const EVENTS_SHOWN_MAX = 12;

export function useCluster(): { cluster: ClusterInfo | null; events: ReplicaEvent[]; error: string | null } {
  const [result, reexecute] = useQuery({ query: ClusterQuery, requestPolicy: 'network-only' });
  const [pushed, setPushed] = useState<{ cluster: ClusterInfo; after: unknown } | null>(null);
  const [events, setEvents] = useState<ReplicaEvent[]>([]);

  useLiveFeed(ClusterChangedSubscription, ({ clusterChanged }) => setPushed({ cluster: clusterChanged, after: result.data }));
  useLiveFeed(ReplicaStatusChangedSubscription, ({ replicaStatusChanged }) =>
    setEvents((previous) => [replicaStatusChanged, ...previous].slice(0, EVENTS_SHOWN_MAX)),
  );
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch);
  useEffect(() => {
    const timer = setInterval(refetch, CLUSTER_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refetch]);

  // Whichever came last: a pushed view, or the answer to the latest poll.
  const cluster = pushed && pushed.after === result.data ? pushed.cluster : (result.data?.cluster ?? pushed?.cluster ?? null);
  return { cluster, events, error: result.error && !cluster ? 'The cluster status could not be loaded.' : null };
}
