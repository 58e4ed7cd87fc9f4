// Who is ordering: the customer behind the stored token (a returning
// customer), or nobody yet (a first visit). A token the gateway no longer
// knows is forgotten, and the customer is asked for their details again.
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { ViewerQuery } from '../../../operations.js';
import type { ViewerQuery as ViewerData } from '../../../gql/graphql.js';

export type Customer = NonNullable<ViewerData['viewer']>;

export type CustomerState =
  | { kind: 'new' }
  | { kind: 'loading' }
  | { kind: 'unreachable'; retry(): void }
  | { kind: 'known'; customer: Customer };

export function useCustomer(token: string | null, forgetToken: () => void): CustomerState {
  const [result, reexecute] = useQuery({ query: ViewerQuery, pause: token === null });
  const unknownToken = token !== null && result.data !== undefined && result.data.viewer == null && !result.stale;
  useEffect(() => {
    if (unknownToken) forgetToken();
  }, [unknownToken, forgetToken]);

  if (token === null || unknownToken) return { kind: 'new' };
  if (result.data?.viewer) return { kind: 'known', customer: result.data.viewer };
  if (result.error) return { kind: 'unreachable', retry: () => reexecute({ requestPolicy: 'network-only' }) };
  return { kind: 'loading' };
}
