// GraphQL over WebSocket (the graphql-ws protocol) on /graphql, next to the
// HTTP and SSE transports yoga serves there. Every operation runs through
// yoga's envelop, so it gets the same schema, plugins, metrics and context;
// the bearer token comes from `connectionParams.authorization`.
import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Context } from '../schema/builder.ts';
import type { ServerContext } from './gateway.ts';

/** Largest message a client may send (a subscribe message with its query). */
export const WEBSOCKET_MESSAGE_BYTES_MAX = 64 * 1024;

interface Enveloped {
  execute: (args: ExecutionArgs) => ReturnType<typeof import('graphql').execute>;
  subscribe: (args: ExecutionArgs) => ReturnType<typeof import('graphql').subscribe>;
}

export function serveWebSockets(server: Server, yoga: YogaServerInstance<ServerContext, Context>): { close(): Promise<void> } {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: WEBSOCKET_MESSAGE_BYTES_MAX });
  const disposable = useServer<Record<string, unknown> | undefined, { request: IncomingMessage }>(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
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
