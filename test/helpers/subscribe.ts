// Subscribing the way clients do: graphql-ws over WebSocket and GraphQL over
// SSE (yoga's "distinct connections" mode), collecting what arrives.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { waitFor } from './cluster.ts';

export interface Feed<T> {
  events: T[];
  errors: unknown[];
  done: boolean;
  /** Waits until at least `count` events have arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

type Transport = 'ws' | 'sse';

export function subscribe<T = Record<string, unknown>>(transport: Transport, gatewayUrl: string, query: string, token?: string): Promise<Feed<T>> {
  return transport === 'ws' ? subscribeWs<T>(gatewayUrl, query, token) : subscribeSse<T>(gatewayUrl, query, token);
}

function feed<T>(close: () => Promise<void>): Feed<T> {
  const state: Feed<T> = {
    events: [],
    errors: [],
    done: false,
    waitForEvents: (count, timeoutMs = 20_000) =>
      waitFor(`${count} events (have ${state.events.length}, errors ${JSON.stringify(state.errors)})`, () => (state.events.length >= count ? state.events : null), timeoutMs),
    close,
  };
  return state;
}

/** How many subscribers a feed has, from the gateway's /metrics. */
export async function openSubscriptions(gatewayUrl: string, feedName: string): Promise<number> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const match = new RegExp(`^jh_subscriptions_open\\{feed="${feedName}"\\} (\\d+)$`, 'm').exec(text);
  return Number(match?.[1] ?? 0);
}

/** Resolves once the server has registered the subscription. */
async function subscribeWs<T>(gatewayUrl: string, query: string, token?: string): Promise<Feed<T>> {
  const feedName = /\{\s*(\w+)/.exec(query)?.[1] ?? '';
  const before = await openSubscriptions(gatewayUrl, feedName);
  let acknowledged = false;
  const client = createClient({
    url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    on: { connected: () => (acknowledged = true) },
  });
  const result = feed<T>(async () => {
    unsubscribe();
    await client.dispose();
  });
  const unsubscribe = client.subscribe<T>(
    { query },
    {
      next: (value) => {
        if (value.errors) result.errors.push(...value.errors);
        else if (value.data) result.events.push(firstField(value.data) as T);
      },
      error: (error) => {
        result.errors.push(error);
        result.done = true;
      },
      complete: () => (result.done = true),
    },
  );
  await waitFor('the WebSocket to be acknowledged', () => acknowledged || result.done);
  await waitFor(`the ${feedName} subscription to open`, async () => result.done || (await openSubscriptions(gatewayUrl, feedName)) > before);
  return result;
}

async function subscribeSse<T>(gatewayUrl: string, query: string, token?: string): Promise<Feed<T>> {
  const controller = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query }), signal: controller.signal });
  const result = feed<T>(async () => controller.abort());
  if (!response.body) throw new Error(`no SSE body: HTTP ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(message)?.[1];
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (event === 'complete') result.done = true;
          if (event !== 'next' || !data) continue;
          const payload = JSON.parse(data) as { data?: Record<string, unknown>; errors?: unknown[] };
          if (payload.errors) result.errors.push(...payload.errors);
          else if (payload.data) result.events.push(firstField(payload.data) as T);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) result.errors.push(error);
    }
    result.done = true;
  })();
  // Yoga starts the stream when it answers the request; the subscription is registered by then.
  return result;
}

function firstField(data: Record<string, unknown>): unknown {
  return Object.values(data)[0];
}
