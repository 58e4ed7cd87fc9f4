// The orders a staff screen works through: read with `staffOrders` (the
// screen's statuses, oldest first), kept live with `staffOrderChanged` (every
// order as placed and at each move), and read again when the link to the
// gateway comes back (events sent meanwhile were missed) and every
// STAFF_REREAD_MS (a change the feed missed while it was opening). A version of an
// order is never replaced by an older one: its timeline only grows.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { StaffOrderChangedSubscription, StaffOrdersQuery } from '../../../operations.js';
import type { StaffOrderFieldsFragment } from '../../../gql/graphql.js';
import { type Screen, SCREEN_STATUSES, newer, screenOrders, worthKeeping } from '../lifecycle.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';
import { hasErrorCode } from '../errors.js';

export type StaffOrder = StaffOrderFieldsFragment;

/** The most staffOrders answers at once (the API's page limit): a screen shows at most this many. */
export const STAFF_ORDERS_MAX = 100;
/** How often a staff screen reads its orders again, for a change its feed missed while opening (useRefetchOnRecovery). */
export const STAFF_REREAD_MS = 10_000;
/** Cancellations the screen still mentions (the newest). */
const CANCELLED_SHOWN_MAX = 5;

export interface StaffOrdersView {
  orders: StaffOrder[];
  loading: boolean;
  error: string | null;
  retry(): void;
  /** A version of an order this screen got itself (a move's answer): shown at once, before the live event. */
  saw(order: StaffOrder): void;
  /** Orders that were on the screen when their customer cancelled them, newest first. */
  cancelled: string[];
  /** Staff have read about the cancellations. */
  dismissCancelled(): void;
}

type Seen = ReadonlyMap<string, StaffOrder>;

function keptBeside(seen: Seen, fetched: ReadonlyMap<string, StaffOrder>, statuses: readonly StaffOrder['status'][]): Map<string, StaffOrder> {
  return new Map([...seen].filter(([, order]) => worthKeeping(order, fetched, statuses)));
}

/** `onForbidden`: the gateway refused the staff token (removed since it was checked). */
export function useStaffOrders(screen: Screen, onForbidden: () => void): StaffOrdersView {
  const statuses = SCREEN_STATUSES[screen];
  const variables = useMemo(() => ({ statuses: [...statuses], first: STAFF_ORDERS_MAX }), [statuses]);
  const [result, reexecute] = useQuery({ query: StaffOrdersQuery, variables });
  const fetched = result.data?.staffOrders;
  const fetchedById = useMemo(() => new Map((fetched ?? []).map((order) => [order.id, order])), [fetched]);
  // Versions seen since the answer `base` (events, moves' answers), pruned when a new answer comes.
  const [seen, setSeen] = useState<{ base: unknown; orders: Seen }>({ base: undefined, orders: new Map() });
  const seenNow = useMemo(() => (seen.base === fetched ? seen.orders : keptBeside(seen.orders, fetchedById, statuses)), [seen, fetched, fetchedById, statuses]);
  const orders = useMemo(() => screenOrders(fetched ?? [], seenNow, statuses), [fetched, seenNow, statuses]);
  const shown = useRef(orders);
  shown.current = orders;
  const [cancelled, setCancelled] = useState<string[]>([]);

  const saw = useCallback(
    (order: StaffOrder) => {
      setSeen((previous) => {
        const base = previous.base === fetched ? previous.orders : keptBeside(previous.orders, fetchedById, statuses);
        const next = new Map(base);
        const known = next.get(order.id);
        const latest = known ? newer(known, order) : order;
        if (worthKeeping(latest, fetchedById, statuses)) next.set(order.id, latest);
        else next.delete(order.id);
        return { base: fetched, orders: next };
      });
    },
    [fetched, fetchedById, statuses],
  );
  useLiveFeed(StaffOrderChangedSubscription, ({ staffOrderChanged: order }) => {
    if (order.status === 'CANCELLED' && shown.current.some((o) => o.id === order.id)) {
      setCancelled((previous) => [order.id, ...previous.filter((id) => id !== order.id)].slice(0, CANCELLED_SHOWN_MAX));
    }
    saw(order);
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch, STAFF_REREAD_MS);

  const forbidden = hasErrorCode(result.error, 'FORBIDDEN');
  useEffect(() => {
    if (forbidden) onForbidden();
  }, [forbidden, onForbidden]);

  return {
    orders,
    loading: result.fetching && !result.data,
    error: result.error && !result.data ? 'The orders could not be loaded.' : null,
    retry: refetch,
    saw,
    cancelled,
    dismissCancelled: useCallback(() => setCancelled([]), []),
  };
}
