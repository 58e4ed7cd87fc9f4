// The one place that builds the urql client: a document cache, HTTP for
// queries and mutations (retried with back-off while the gateway cannot be
// reached), and graphql-ws for subscriptions (reconnecting forever). A client
// belongs to one token: the app makes a new one when the customer's token
// changes, and the staff screens have their own, with the staff token
// (hooks/useStaff.ts), so neither token is ever sent for the other.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createSocketClient, type Client as SocketClient } from 'graphql-ws';
import { type ConnectionStore, connection as sharedConnection } from './connection.js';

/** Longest wait between two attempts to reach the gateway. */
export const RETRY_WAIT_MS_MAX = 8_000;
const RETRY_WAIT_MS_FIRST = 250;
/** Statuses a proxy in front of the gateway answers while it is down: worth retrying. */
const RETRY_STATUSES = new Set([502, 503, 504]);

/** Exponential back-off with jitter: 250 ms, 500 ms, 1 s ... up to RETRY_WAIT_MS_MAX. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_WAIT_MS_MAX, RETRY_WAIT_MS_FIRST * 2 ** Math.min(attempt, 10));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

class GatewayUnavailable extends Error {}

function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * A fetch that keeps trying while the gateway cannot be reached (no answer, or
 * a proxy's 502/503/504), reporting to `connection`. Retrying a mutation is
 * safe: every mutation the app sends carries an idempotency key, and a retry gets the first answer.
 * It stops only when urql aborts the request (the view no longer needs it).
 */
export function retryingFetch(connection: ConnectionStore, baseFetch: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await baseFetch(input, init);
        if (RETRY_STATUSES.has(response.status)) throw new GatewayUnavailable(`HTTP ${response.status}`);
        connection.httpSucceeded();
        return response;
      } catch (error) {
        if (init?.signal?.aborted) throw error;
        // fetch rejects with a TypeError when nothing answers; anything else is not ours to retry.
        if (!(error instanceof TypeError || error instanceof GatewayUnavailable)) throw error;
        const waitMs = backoffMs(attempt);
        connection.httpFailed(waitMs);
        await sleep(waitMs, init?.signal);
      }
    }
  };
}

function closeCode(event: unknown): number | null {
  return typeof event === 'object' && event !== null && 'code' in event && typeof event.code === 'number' ? event.code : null;
}

/** HTTP sends the token as a header; graphql-ws in connectionParams, under the same name. */
function authorization(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export interface GraphQLClient {
  urql: Client;
  dispose(): void;
}

export function createGraphQLClient(token: string | null, connection: ConnectionStore = sharedConnection): GraphQLClient {
  const origin = window.location;
  // A disposed client's socket closing is not the gateway going away.
  let disposed = false;
  const socket: SocketClient = createSocketClient({
    url: `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}/graphql`,
    connectionParams: () => authorization(token),
    // Connects with the first subscription (the menu's stock feed), so a client never used never connects.
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => sleep(backoffMs(retries), null),
    on: {
      connected: () => disposed || connection.socketConnected(),
      // 1000: closed on purpose (the last subscription ended), not lost.
      closed: (event) => disposed || closeCode(event) === 1000 || connection.socketLost(),
      error: () => disposed || connection.socketLost(),
    },
  });
  const urql = new Client({
    url: '/graphql',
    // POST only: GETs would need the CSRF header, and POST bodies carry no length limit worries here.
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetch: retryingFetch(connection),
    fetchOptions: (): RequestInit => ({ headers: authorization(token) }),
    exchanges: [
      cacheExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
      fetchExchange,
    ],
  });
  return {
    urql,
    dispose: () => {
      disposed = true;
      void socket.dispose();
    },
  };
}
