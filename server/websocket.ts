// GraphQL over WebSocket (the graphql-ws protocol) on /graphql, next to the
// HTTP and SSE transports yoga serves there. Every operation runs through
// yoga's envelop, so it gets the same schema, plugins, metrics and context;
// the bearer token comes from `connectionParams.authorization`. A socket counts
// against its address's live connections (closed at once, saying why, over
// the cap), and may hold only so many subscriptions at once.
import type { IncomingMessage, Server } from 'node:http';
import { type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Context } from '../schema/builder.ts';
import type { ServerContext } from './gateway.ts';
import { type LiveConnections, clientAddress } from './guards.ts';

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
  limits: { live: LiveConnections; subscriptionsPerConnection: number },
): { close(): Promise<void> } {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: WEBSOCKET_MESSAGE_BYTES_MAX });
  // Registered before graphql-ws's own handler: a socket over the cap is closed before it is served.
  sockets.on('connection', (socket, request) => {
    const release = limits.live.acquire(clientAddress(request));
    if (!release) {
      socket.close(WEBSOCKET_POLICY_VIOLATION, limits.live.refusal());
      return;
    }
    socket.once('close', release);
  });
  const disposable = useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
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
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
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
