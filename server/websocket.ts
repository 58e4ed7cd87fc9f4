// GraphQL over WebSocket (the graphql-ws protocol) on /graphql, next to the
// HTTP and SSE transports yoga serves there. Every operation runs through
// yoga's envelop, so it gets the same schema, plugins, metrics and context;
// the token comes from `connectionParams` (see `clientToken`). A socket counts
// against its address's live connections (closed at once, saying why, over
// the cap), and may hold only so many subscriptions at once.
import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Context } from '../schema/builder.ts';
import type { ServerContext } from './gateway.ts';
import { type PerKeyCap, clientAddress, tooManyConnections } from './guards.ts';
import { type SharedSubscriptions, isSharedResult, serialisedOnce } from './shared-subscriptions.ts';

/**
 * A shared result (shared-subscriptions.ts) is serialised once for all its
 * subscribers: graphql-ws is given a stand-in payload whose `toJSON` leaves
 * this marker in the message (and the shared JSON aside), and the socket's
 * `send` splices the shared JSON in. Stringifying and sending happen in one
 * synchronous step, so the one JSON waiting is always the one this message
 * is for; a message not ending in the marker goes out as it is.
 */
const SHARED_PAYLOAD = '\u0000jh-shared-payload';
const SHARED_SUFFIX = `,"payload":${JSON.stringify(SHARED_PAYLOAD)}}`;
let sharedJson: string | null = null;
const standIns = new WeakMap<object, { toJSON(): string }>();

/** The payload graphql-ws sends for a shared result: one stand-in a result, however many subscribers. */
function standInFor(result: ExecutionResult): { toJSON(): string } {
  let standIn = standIns.get(result);
  if (!standIn) {
    standIn = {
      toJSON: () => {
        sharedJson = serialisedOnce(result);
        return SHARED_PAYLOAD;
      },
    };
    standIns.set(result, standIn);
  }
  return standIn;
}

function withSharedPayload(data: string): string {
  const json = sharedJson;
  sharedJson = null;
  if (json === null || !data.endsWith(SHARED_SUFFIX)) return data;
  return `${data.slice(0, -SHARED_SUFFIX.length)},"payload":${json}}`;
}

/** Close code for a socket refused by a cap (the WebSocket code for "policy violation"). */
export const WEBSOCKET_POLICY_VIOLATION = 1008;

/** Largest message a client may send (a subscribe message with its query). */
export const WEBSOCKET_MESSAGE_BYTES_MAX = 64 * 1024;

interface Enveloped {
  execute: (args: ExecutionArgs) => ReturnType<typeof import('graphql').execute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof import('graphql').subscribe>;
}

export function serveWebSockets(
  server: Server,
  yoga: YogaServerInstance<ServerContext, Context>,
  limits: { live: PerKeyCap; subscriptionsPerConnection: number; shared: SharedSubscriptions },
): { close(): Promise<void> } {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: WEBSOCKET_MESSAGE_BYTES_MAX });
  // Registered before graphql-ws's own handler: a socket over the cap is closed before it is served.
  sockets.on('connection', (socket, request) => {
    const release = limits.live.acquire(clientAddress(request));
    if (!release) {
      socket.close(WEBSOCKET_POLICY_VIOLATION, tooManyConnections(limits.live.max));
      return;
    }
    socket.once('close', release);
    // Messages sent in one turn of the event loop (an event's `next` for every subscription on this socket) leave in
    // one write: the TCP socket is corked at the first and uncorked once the turn's promise jobs are done. One
    // system call a socket per event instead of one a subscription (ws has no public cork; its socket is `_socket`).
    const tcp = (socket as unknown as { _socket?: Socket })._socket;
    let corked = false;
    const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
    socket.send = ((data: unknown, ...rest: unknown[]) => {
      if (tcp && !corked) {
        corked = true;
        tcp.cork();
        process.nextTick(() => {
          corked = false;
          tcp.uncork();
        });
      }
      send(typeof data === 'string' ? withSharedPayload(data) : data, ...rest);
    }) as typeof socket.send;
  });
  const disposable = useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
      // A shared result goes out as its stand-in (graphql-ws would copy it per subscriber and stringify each copy).
      onNext: (_ctx, _id, _payload, _args, result) => (isSharedResult(result) ? (standInFor(result) as ExecutionResult) : undefined),
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        // graphql-ws has already entered this one in ctx.subscriptions.
        const max = limits.subscriptionsPerConnection;
        if (max > 0 && Object.keys(ctx.subscriptions).length > max) {
          return [new GraphQLError(`Too many subscriptions on this connection (at most ${max} at once): complete one first, or open another connection.`, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        const enveloped = yoga.getEnveloped({ req: ctx.extra.request, connectionParams: ctx.connectionParams ?? {}, params });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (error) {
          return [error as import('graphql').GraphQLError];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          // Subscribers share a stream here, before envelop: its pipeline runs once a stream, not once a subscriber.
          rootValue: { execute: enveloped.execute, subscribe: (subscribeArgs: ExecutionArgs) => limits.shared.subscribe(subscribeArgs, enveloped.subscribe, 'before envelop') },
        };
        return args;
      },
    },
    sockets,
  );
  return {
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
