// The viewer's orders, newest first, a page at a time, with statuses kept live
// by `orderStatusChanged` (an order placed or cancelled anywhere shows at once).
import { useCallback, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { OrdersQuery, OrderStatusChangedSubscription } from '../../../operations.js';
import type { OrderFieldsFragment } from '../../../gql/graphql.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';

export type Order = OrderFieldsFragment;
export const ORDERS_PAGE_SIZE = 10;

export interface OrdersView {
  orders: Order[];
  totalCount: number;
  hasMore: boolean;
  loading: boolean;
  error: string | null;
  showMore(): void;
  refetch(): void;
}

const newestFirst = (a: Order, b: Order) => Number(b.id) - Number(a.id);

export function useOrders(active: boolean | null): OrdersView {
  const [pageCount, setPageCount] = useState(1);
  const [result, reexecute] = useQuery({ query: OrdersQuery, variables: { active, first: ORDERS_PAGE_SIZE * pageCount } });
  const [live, setLive] = useState<ReadonlyMap<string, Order>>(new Map());
  useLiveFeed(OrderStatusChangedSubscription, ({ orderStatusChanged }) => {
    setLive((previous) => new Map(previous).set(orderStatusChanged.id, orderStatusChanged));
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch);

  const connection = result.data?.viewer?.orders;
  const orders = useMemo(() => {
    const fetched = connection?.edges.map((edge) => edge.node) ?? [];
    const byId = new Map(fetched.map((order) => [order.id, order]));
    const oldestShown = fetched.length > 0 && connection?.pageInfo.hasNextPage ? Math.min(...fetched.map((o) => Number(o.id))) : 0;
    for (const order of live.values()) {
      // A live event is the newest word on an order; new orders join the top of the list.
      if (byId.has(order.id) || Number(order.id) > oldestShown) byId.set(order.id, order);
    }
    return [...byId.values()].filter((order) => active === null || order.active === active).sort(newestFirst);
  }, [connection, live, active]);

  const extra = orders.filter((o) => !connection?.edges.some((e) => e.node.id === o.id)).length;
  return {
    orders,
    totalCount: (connection?.totalCount ?? 0) + (active === null ? extra : 0),
    hasMore: connection?.pageInfo.hasNextPage ?? false,
    loading: result.fetching && !result.data,
    error: result.error && !result.data ? 'Your orders could not be loaded.' : null,
    showMore: () => setPageCount((n) => n + 1),
    refetch,
  };
}
