// What the cart costs, priced by the cluster (`orderQuote`), asked again a
// moment after the cart, delivery option or tip stops changing.
import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import type { OrderQuoteQuery } from '../../../gql/graphql.js';
import type { Cart } from '../cart.js';
import { OrderQuoteQuery as QuoteDocument } from '../../../operations.js';
import type { UserError } from '../errors.js';

export type Quote = NonNullable<OrderQuoteQuery['orderQuote']['quote']>;

const SETTLE_MS = 200;

export interface QuoteInput {
  lines: Cart;
  deliveryOptionId?: string | null;
  tipMinorUnits?: number | null;
}

export function useQuote(input: QuoteInput): { quote: Quote | null; errors: UserError[]; pending: boolean } {
  const key = JSON.stringify({ lines: input.lines, deliveryOptionId: input.deliveryOptionId ?? null, tipMinorUnits: input.tipMinorUnits ?? null });
  const [settled, setSettled] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [key]);

  const variables = JSON.parse(settled) as { lines: Cart; deliveryOptionId: string | null; tipMinorUnits: number | null };
  const [result] = useQuery({
    query: QuoteDocument,
    variables: { input: { ...variables, lines: [...variables.lines] } },
    pause: variables.lines.length === 0,
  });
  // Keep showing the last quote while a new one is on its way.
  const [last, setLast] = useState<{ quote: Quote | null; errors: UserError[] }>({ quote: null, errors: [] });
  const payload = result.data?.orderQuote;
  useEffect(() => {
    if (payload) setLast({ quote: payload.quote ?? null, errors: payload.errors });
  }, [payload]);

  const empty = input.lines.length === 0;
  return {
    quote: empty ? null : (payload?.quote ?? last.quote),
    errors: empty ? [] : (payload?.errors ?? last.errors),
    pending: !empty && (settled !== key || result.fetching),
  };
}
