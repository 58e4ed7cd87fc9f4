// The menu and delivery options, with stock kept live by `stockChanged`.
import { useCallback, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { MenuQuery, StockLevelsSubscription } from '../../../operations.js';
import type { MenuQuery as MenuData } from '../../../gql/graphql.js';
import { useLiveFeed } from './useLiveFeed.js';
import { useRefetchOnRecovery } from './useRefetchOnRecovery.js';

export type Product = MenuData['products'][number];
export type DeliveryOption = MenuData['deliveryOptions'][number];

export interface Menu {
  products: Product[];
  deliveryOptions: DeliveryOption[];
  /** Live stock by product id. */
  stock: ReadonlyMap<string, number>;
  loading: boolean;
  error: string | null;
  retry(): void;
}

export function useMenu(): Menu {
  const [result, reexecute] = useQuery({ query: MenuQuery });
  // Stock events newer than the menu the query returned, cleared when a fresh menu arrives.
  const [live, setLive] = useState<{ base: MenuData | undefined; stock: Map<string, number> }>({ base: undefined, stock: new Map() });
  const data = result.data;
  const liveStock = live.base === data ? live.stock : null;

  useLiveFeed(StockLevelsSubscription, ({ stockLevels }) => {
    setLive((previous) => {
      const stock = new Map(previous.base === data ? previous.stock : []);
      for (const product of stockLevels) stock.set(product.id, product.stock);
      return { base: data, stock };
    });
  });
  const refetch = useCallback(() => reexecute({ requestPolicy: 'network-only' }), [reexecute]);
  useRefetchOnRecovery(refetch);

  const stock = useMemo(() => {
    const merged = new Map<string, number>();
    for (const product of data?.products ?? []) merged.set(product.id, liveStock?.get(product.id) ?? product.stock);
    return merged;
  }, [data, liveStock]);

  return {
    products: data?.products ?? [],
    deliveryOptions: data?.deliveryOptions ?? [],
    stock,
    loading: result.fetching && !data,
    error: result.error && !data ? 'The menu could not be loaded.' : null,
    retry: refetch,
  };
}
