// The gateway process: GraphQL (HTTP and SSE) at /graphql with GraphiQL, the
// view service's endpoints for the replicas, and the router between them.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { type Plugin, createYoga } from 'graphql-yoga';
import sirv from 'sirv';
import type { Logger } from 'pino';
import { buildSchema } from '../schema/index.ts';
import type { Context } from '../schema/builder.ts';
import type { Services } from '../schema/services.ts';
import { HttpError, describe, guarded, readJson, secretMatches, sendJson } from '../replicas/http.ts';
import { fatalIfBroken } from '../replicas/fatal.ts';
import { AddBackupRequest, Heartbeat, ReportRequest, StaffAddRequest, StaffRemoveRequest } from '../replicas/protocol.ts';
import type { Catalog, Outcome, Staff } from '../replicas/domain/types.ts';
import { ChangeFeed } from './change-feed.ts';
import { createFeeds } from './feeds.ts';
import { createServices } from './gateway-services.ts';
import { hashToken, isStaffToken } from './tokens.ts';
import { GRAPHIQL_OPTIONS, renderGraphiQLOffline } from './graphiql.ts';
import { SharedSubscriptions } from './shared-subscriptions.ts';
import { GRAPHQL_LIMITS, PerKeyCap, clientAddress, guardPlugins, mutationLimiter, queryRateLimited, queryTooHeavy, queryWeight, rateLimiter, refuseRequest } from './guards.ts';
import { GatewayMetrics } from './metrics.ts';
import { REQUEST_ID_RESPONSE_HEADER, withRequestId } from './request-context.ts';
import { serveWebSockets } from './websocket.ts';
import type { PostcodeChecker } from './postcode-checker.ts';
import { Router, ServiceUnavailable } from './router.ts';
import { ViewService } from './view-service.ts';

export interface GatewayConfig {
  host: string;
  port: number;
  dataDir: string;
  secret: string;
  minReplicas: number;
  heartbeatMs: number;
  suspectMs: number;
  requestDeadlineMs: number;
  callTimeoutMs: number;
  catalog: Catalog;
  postcodes: PostcodeChecker;
  /** The built web client (index.html and assets), served at `/`; null for none. */
  webDir: string | null;
  /** Most events one subscriber may have waiting before it is cut off. */
  subscriberBufferMax: number;
  /** Mutations per client per second (0: no limit). */
  mutationRateLimit: number;
  /** Query points per client per second (see QUERY_FIELD_WEIGHTS; 0: no limit). */
  queryRateLimit: number;
  /** WebSockets and SSE streams open at once from one address (0: no limit). */
  connectionsPerAddress: number;
  /** Subscriptions at once on one WebSocket (0: no limit). */
  subscriptionsPerConnection: number;
  /** Subscriptions to every stock change (stockChanged without atMostEveryMs) one client may hold at once (0: no limit). */
  everyStockChangePerClient: number;
  /** Subscriptions to every stock change the gateway serves at once, from everyone (0: no limit). */
  everyStockChangeTotal: number;
  introspection: boolean;
  /** Serve GraphiQL at /graphql to browsers. */
  graphiql: boolean;
  /** Web origins besides the gateway's own whose pages may call the API (CORS). */
  corsOrigins: string[];
  log: Logger;
}

export interface RunningGateway {
  url: string;
  views: ViewService;
  /**
   * GraphQL without a socket: yoga's own `fetch`, as graphql-yoga's tests call
   * it, through the same schema, services, plugins and request ids as
   * `/graphql` (not the HTTP-level caps on body and header sizes, which are
   * the socket's). For tests of the GraphQL layer.
   */
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const { log } = config;
  const views = new ViewService({
    viewFile: join(config.dataDir, 'view.json'),
    secret: config.secret,
    heartbeatMs: config.heartbeatMs,
    suspectMs: config.suspectMs,
    minReplicas: config.minReplicas,
    log,
  });
  const router = new Router(views, { secret: config.secret, requestDeadlineMs: config.requestDeadlineMs, callTimeoutMs: config.callTimeoutMs, log });
  const changes = new ChangeFeed(views, { secret: config.secret, waitMs: 20_000, batchMax: 1000, log });
  let metrics: GatewayMetrics | null = null;
  const feeds = createFeeds({
    views,
    changes,
    products: () => services.products(),
    log,
  });
  const services = createServices({ router, views, postcodes: config.postcodes, feeds, secret: config.secret, log });
  // Each subscriber's own buffer (and cut-off) is the shared stream's; the feeds' topics see one subscriber per stream.
  const live = new PerKeyCap(config.connectionsPerAddress);
  const shared = new SharedSubscriptions({
    bufferMax: config.subscriberBufferMax,
    onCutOff: () => metrics?.subscribersCutOff.inc(),
    everyStockChangePerClient: config.everyStockChangePerClient,
    everyStockChangeTotal: config.everyStockChangeTotal,
    live,
  });
  metrics = new GatewayMetrics({ views, changeFeedSeq: () => changes.seq, subscribers: () => shared.subscribers() });
  const gatewayMetrics = metrics;
  const yoga = createGraphQL(services, metrics, config, shared, log);
  const cluster = clusterEndpoints(views, services, config.secret);
  const web = webClient(config.webDir);

  const server = createServer(
    guarded(async (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (path.startsWith('/cluster/')) return cluster(path, req, res);
      if (path === '/healthz') return sendJson(res, 200, { ok: true });
      if (path === '/readyz') {
        const reason = views.notReadyReason();
        return sendJson(res, reason === null ? 200 : 503, { writable: reason === null, reason });
      }
      if (path === '/metrics') {
        res.writeHead(200, { 'content-type': gatewayMetrics.registry.contentType }).end(await gatewayMetrics.registry.metrics());
        return;
      }
      if (path === '/graphql' || path.startsWith('/graphql/')) {
        const refusal = refuseRequest(req.method, req.headers);
        if (refusal) return sendJson(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
        return withRequestId((id) => {
          res.setHeader(REQUEST_ID_RESPONSE_HEADER, id);
          return yoga.handle(req, res);
        });
      }
      return web(req, res);
    }, (error) => {
      fatalIfBroken(log, error);
      log.error({ err: describe(error) }, 'request failed');
    }),
  );
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  const webSockets = serveWebSockets(server, yoga, { live, subscriptionsPerConnection: config.subscriptionsPerConnection, shared });
  views.start();
  changes.start();
  const seeding = seedCatalog(router, views, config.catalog, log);
  log.info({ url: `${url}/graphql` }, 'gateway listening');
  return {
    url,
    views,
    fetch: (request) =>
      withRequestId(async (id) => {
        const response = await yoga.fetch(request, {});
        response.headers.set(REQUEST_ID_RESPONSE_HEADER, id);
        return response;
      }),
    close: async () => {
      seeding.stop();
      changes.stop();
      views.stop();
      await webSockets.close();
      await closeServer(server);
    },
  };
}

/** What yoga is handed per request: node's request (and response, for HTTP; neither through `fetch`), and graphql-ws's connection params. */
export interface ServerContext {
  req?: IncomingMessage;
  res?: ServerResponse;
  connectionParams?: Record<string, unknown>;
}

function createGraphQL(
  services: Services & { knownCustomerId(token: string): string | null },
  metrics: GatewayMetrics,
  config: Pick<GatewayConfig, 'mutationRateLimit' | 'queryRateLimit' | 'introspection' | 'graphiql' | 'corsOrigins'>,
  shared: SharedSubscriptions,
  log: Logger,
) {
  const allowMutation = mutationLimiter(config.mutationRateLimit);
  const takeQueryPoints = rateLimiter(config.queryRateLimit);
  // Queries are weighed before they run: a client over its budget gets HTTP 429 and costs the replicas nothing.
  const queryLimit: Plugin<Context> = {
    onExecute: async ({ args, setResultAndStopExecution }) => {
      const weight = queryWeight(args.document, args.operationName);
      if (weight === null) return;
      if (config.queryRateLimit > 0 && weight > config.queryRateLimit) {
        setResultAndStopExecution({ errors: [queryTooHeavy(config.queryRateLimit, weight)] });
        return;
      }
      const seconds = await takeQueryPoints(args.contextValue.client, weight);
      if (seconds !== null) setResultAndStopExecution({ errors: [queryRateLimited(config.queryRateLimit, seconds)] });
    },
  };
  return createYoga<ServerContext, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.graphiql ? GRAPHIQL_OPTIONS : false,
    renderGraphiQL: renderGraphiQLOffline,
    cors: corsPolicy(config.corsOrigins),
    batching: { limit: GRAPHQL_LIMITS.batch },
    plugins: [metrics.plugin(), ...guardPlugins({ introspection: config.introspection }), queryLimit, shared.plugin()],
    logging: {
      debug: (...args) => log.debug({ args }, 'yoga'),
      info: (...args) => log.info({ args }, 'yoga'),
      warn: (...args) => log.warn({ args }, 'yoga'),
      error: (...args) => log.error({ args: args.map(describe) }, 'yoga'),
    },
    context: ({ request, req, connectionParams }) => {
      // HTTP and SSE send the token in the Authorization header; graphql-ws in connectionParams.
      const token = clientToken(connectionParams, request?.headers.get('authorization'));
      const address = clientAddress(req);
      let viewer: ReturnType<Context['viewer']> | null = null;
      let viewerId: Promise<string | null> | null = null;
      let staff: ReturnType<Context['staff']> | null = null;
      // A staff token is no customer's: it costs no customer lookup.
      const customerToken = token && !isStaffToken(token) ? token : null;
      // The id comes from the customer when that is being fetched anyway, else from the gateway's memory of tokens.
      const viewerIdOnce = () =>
        (viewerId ??= viewer ? viewer.then((customer) => customer?.id ?? null) : customerToken ? services.customerIdByToken(customerToken) : Promise.resolve(null));
      // A client is a customer the gateway already knows by token, else an address (a wrong token costs nothing to look up).
      const known = token ? services.knownCustomerId(token) : null;
      return {
        services,
        client: known ? `customer:${known}` : `address:${address}`,
        viewerKey: token ? `${customerToken ? 'token' : 'staff'}:${hashToken(token)}` : 'anonymous',
        viewerKind: token ? (customerToken ? 'customer' : 'staff') : 'anonymous',
        address,
        viewer: () => (viewer ??= customerToken ? services.customerByToken(customerToken) : Promise.resolve(null)),
        staff: () => (staff ??= token ? services.staffByToken(token) : Promise.resolve(null)),
        viewerId: viewerIdOnce,
        mutationAllowed: async () => {
          const customerId = await viewerIdOnce();
          return allowMutation(customerId ? `customer:${customerId}` : `address:${address}`);
        },
      };
    },
  });
}

/**
 * Which pages may call the API from a browser: the gateway's own origin and
 * the listed ones, with their credentials; any other origin gets no CORS
 * headers, so the browser keeps the answer from its page (yoga's default
 * would reflect every origin, credentials allowed).
 */
export function corsPolicy(allowed: string[]) {
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (origin === null) return false;
    const own = new URL(request.url).origin;
    return origin === own || allowed.includes(origin) ? { origin: [origin], credentials: true } : false;
  };
}

/** The web client's files, with index.html for every other path (client-side routes); GraphiQL when there is no build. */
function webClient(webDir: string | null) {
  if (!webDir || !existsSync(join(webDir, 'index.html'))) {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url === '/') res.writeHead(302, { location: '/graphql' }).end();
      else sendJson(res, 404, { error: 'not found' });
    };
  }
  const files = sirv(webDir, { single: true, etag: true, gzip: false });
  return (req: IncomingMessage, res: ServerResponse) => files(req, res, () => sendJson(res, 404, { error: 'not found' }));
}

/** A token from an Authorization value: `Bearer <token>`, or the token alone. */
export function bearerToken(header: string | null | undefined): string | null {
  const match = /^(?:Bearer\s+)?(\S+)$/i.exec(header?.trim() ?? '');
  return match?.[1] ?? null;
}

/** Where WebSocket clients put a token in connection_init's payload: these names (any case), at the top or under `headers`. */
const SOCKET_TOKEN_KEYS = new Set(['authorization', 'token', 'authtoken', 'accesstoken']);

/**
 * The token a client sent: over WebSockets from the connection_init payload
 * (graphql-ws's connectionParams) under any of the spellings clients use,
 * else from the Authorization header (HTTP, SSE).
 */
export function clientToken(connectionParams: Record<string, unknown> | undefined, header: string | null | undefined): string | null {
  if (!connectionParams) return bearerToken(header);
  const headers = connectionParams.headers;
  for (const place of [connectionParams, typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>) : {}]) {
    for (const [key, value] of Object.entries(place)) {
      if (SOCKET_TOKEN_KEYS.has(key.toLowerCase()) && typeof value === 'string') return bearerToken(value);
    }
  }
  return null;
}

function clusterEndpoints(views: ViewService, services: ReturnType<typeof createServices>, secret: string) {
  /** A staff change, written as every write is: 200 with the member, 503 while no primary takes it, else 400 with the user's errors. */
  const staffWrite = async (res: ServerResponse, outcome: Outcome<Staff>) => {
    if (outcome.ok) return sendJson(res, 200, { staff: outcome.value });
    const unavailable = outcome.errors.find((e) => e.code === 'SERVICE_UNAVAILABLE');
    if (unavailable) throw new HttpError(503, unavailable.message);
    return sendJson(res, 400, { errors: outcome.errors });
  };
  /** The staff list, read as every read is (a GraphQLError SERVICE_UNAVAILABLE while no primary takes it: 503). */
  const staffList = async () => {
    try {
      return await services.staffList();
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'SERVICE_UNAVAILABLE') throw new HttpError(503, error.message);
      throw error;
    }
  };
  return async (path: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!secretMatches(req, secret)) throw new HttpError(401, 'the cluster secret is missing or wrong');
    if (req.method === 'GET' && path === '/cluster/status') return sendJson(res, 200, { view: views.current(), cluster: views.cluster() });
    if (req.method === 'GET' && path === '/cluster/staff') return sendJson(res, 200, { staff: await staffList() });
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed');
    switch (path) {
      case '/cluster/staff/add':
        return staffWrite(res, await services.addStaff(await readJson(req, StaffAddRequest)));
      case '/cluster/staff/remove':
        return staffWrite(res, await services.removeStaff((await readJson(req, StaffRemoveRequest)).staffId));
      case '/cluster/heartbeat':
        return sendJson(res, 200, views.heartbeat(await readJson(req, Heartbeat)));
      case '/cluster/report': {
        const report = await readJson(req, ReportRequest);
        return sendJson(res, 200, views.report(report.epoch, report.reporter, report.unreachable));
      }
      case '/cluster/add-backup': {
        const request = await readJson(req, AddBackupRequest);
        const notice = views.addBackup(request.epoch, request.primary, request.backup);
        if (!notice) throw new HttpError(409, 'the view has moved on or the replica is not live');
        return sendJson(res, 200, notice);
      }
      default:
        throw new HttpError(404, 'not found');
    }
  };
}

/**
 * Loads the catalogue into a fresh cluster once it can take writes, and tells
 * the view service when it is in place: the cluster is not ready before. On a
 * cluster that has one (a restarted gateway) the write changes nothing: the
 * primary answers it from its dedupe table (or, once that row is trimmed or
 * for another catalogue, as a no-op).
 */
function seedCatalog(router: Router, views: ViewService, catalog: Catalog, log: Logger): { stop(): void } {
  let stopped = false;
  void (async () => {
    while (!stopped) {
      try {
        const outcome = await router.write(`catalog:${catalogKey(catalog)}`, { type: 'loadCatalog', ...catalog });
        if (!outcome.ok) throw new Error(`the cluster refused the catalogue: ${JSON.stringify(outcome.errors)}`);
        views.catalogueInPlace();
        log.info('catalogue in place');
        return;
      } catch (error) {
        // Unavailable is expected until the view can take writes; anything else is worth a line before trying again.
        if (!(error instanceof ServiceUnavailable)) log.warn({ err: describe(error) }, 'could not load the catalogue; trying again');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  })();
  return { stop: () => (stopped = true) };
}

function catalogKey(catalog: Catalog): string {
  return createHash('sha256').update(JSON.stringify(catalog)).digest('hex').slice(0, 32);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
