// What the cart costs, priced by the cluster (`orderQuote`), asked again a
// moment after the cart, delivery option or tip stops changing. A figure is
// shown only beside figures for the same cart, option and tip: while a new
// price is on its way there is no quote, and the page says it is updating.
import { useEffect, useMemo, useState } from 'react';
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

export interface PricedCart {
  /** The price of exactly the input now; null while it is on its way. */
  quote: Quote | null;
  /** The last price received, perhaps of an earlier input: only for what has not changed since (a line's own price). */
  latest: Quote | null;
  /** Why the input now cannot be priced (a dish sold out, an unknown option). */
  errors: UserError[];
  pending: boolean;
}

/** `pause` holds the question back while part of it is still unknown (a tip that is a share of a subtotal on its way). */
export function useQuote(input: QuoteInput, { pause = false } = {}): PricedCart {
  const key = JSON.stringify({ lines: input.lines, deliveryOptionId: input.deliveryOptionId ?? null, tipMinorUnits: input.tipMinorUnits ?? null });
  const [settled, setSettled] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [key]);

  const variables = useMemo(() => {
    const asked = JSON.parse(settled) as { lines: Cart; deliveryOptionId: string | null; tipMinorUnits: number | null };
    return { input: { ...asked, lines: [...asked.lines] } };
  }, [settled]);
  const empty = input.lines.length === 0;
  const [result] = useQuery({ query: QuoteDocument, variables, pause: pause || variables.input.lines.length === 0 });

  // urql keeps the last answer while it asks again: only an answer to the question now asked is the quote.
  const payload = result.data?.orderQuote;
  const answered = !pause && settled === key && !result.fetching && JSON.stringify(result.operation?.variables) === JSON.stringify(variables);
  const [latest, setLatest] = useState<Quote | null>(null);
  useEffect(() => {
    if (payload?.quote) setLatest(payload.quote);
  }, [payload]);

  if (empty) return { quote: null, latest: null, errors: [], pending: false };
  // The gateway refused the question itself (a GraphQL error, not a UserError): say so rather than wait forever.
  const refused = answered && !payload && result.error ? [{ code: 'SERVICE_UNAVAILABLE' as const, message: 'Your total could not be worked out just now.', field: null }] : [];
  return {
    quote: answered ? (payload?.quote ?? null) : null,
    latest: payload?.quote ?? latest,
    errors: answered ? (payload?.errors ?? refused) : [],
    pending: !answered,
  };
}
