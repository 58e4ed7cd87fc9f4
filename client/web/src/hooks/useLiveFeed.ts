// Calls `onEvent` for every event of a subscription, in order, none dropped
// (urql's useSubscription keeps only the latest result between renders).
// graphql-ws resubscribes by itself after a reconnect.
import { useEffect, useRef } from 'react';
import { useClient } from 'urql';
import type { TypedDocumentNode } from '@urql/core';

export function useLiveFeed<Data>(document: TypedDocumentNode<Data, Record<string, never>>, onEvent: (data: Data) => void, active = true): void {
  const client = useClient();
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (!active) return;
    const { unsubscribe } = client.subscription(document, {}).subscribe((result) => {
      if (result.data) handler.current(result.data);
    });
    return unsubscribe;
  }, [client, document, active]);
}
