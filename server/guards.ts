// Defences against hostile or careless clients: caps on what one GraphQL
// request may ask for (graphql-armor), CSRF prevention, introspection off on
// request, body and header size caps, per-client rate limits on mutations and
// on queries (weighed by what they cost), and caps on live connections per
// address and subscriptions per connection.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { type DocumentNode, type FieldNode, GraphQLError, Kind, type OperationDefinitionNode, type SelectionNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { UserError } from '../replicas/domain/types.ts';

export const GRAPHQL_LIMITS = {
  /** Deepest selection, fragments flattened: our deepest query needs 8; `__schema` (GraphiQL's introspection) is exempt. */
  depth: 10,
  /**
   * graphql-armor's cost: objects 2, scalars 1, times 1.5 per level, times a
   * literal `first`; `__schema` exempt. One page of the most orders a page
   * may hold (100), with every field of each (timeline and delivery contact
   * too), costs about 61,000: a client may ask for one such page at once, not
   * two (test/graphql-over-http.test.ts).
   */
  cost: 80_000,
  aliases: 15,
  directives: 50,
  /** Lexer tokens in one document. */
  tokens: 2000,
  /** A request body (query plus variables). */
  bodyBytes: 64 * 1024,
  /** The Authorization header (our tokens are 46 characters). */
  authorizationChars: 512,
  /** Operations in one batched request. */
  batch: 10,
} as const;

export interface GuardOptions {
  introspection: boolean;
}

/**
 * How a request over one of graphql-armor's limits is refused: as a
 * validation error (HTTP 400, as the GraphQL-over-HTTP spec asks of a
 * response with no `data`), with a code and without armor's misleading
 * "Syntax Error:" prefix. The token limit trips inside the parser, where there
 * is no validation context: the clean error is thrown there instead.
 */
function refuseOverLimit(code: string) {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: { reportError(error: GraphQLError): void } | null, error: GraphQLError) => {
        const message = error.message.replace(/^Syntax Error: /, '').replace(/found (\d+)\.\d+/, 'found $1');
        const refusal = new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
        if (!context) throw refusal;
        context.reportError(refusal);
      },
    ],
  };
}

export function guardPlugins(options: GuardOptions): Plugin[] {
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      maxDepth: { n: GRAPHQL_LIMITS.depth, flattenFragments: true, ignoreIntrospection: true, ...refuseOverLimit('QUERY_TOO_DEEP') },
      costLimit: { maxCost: GRAPHQL_LIMITS.cost, ignoreIntrospection: true, flattenFragments: true, ...refuseOverLimit('QUERY_TOO_COSTLY') },
      maxAliases: { n: GRAPHQL_LIMITS.aliases, ...refuseOverLimit('TOO_MANY_ALIASES') },
      maxDirectives: { n: GRAPHQL_LIMITS.directives, ...refuseOverLimit('TOO_MANY_DIRECTIVES') },
      maxTokens: { n: GRAPHQL_LIMITS.tokens, ...refuseOverLimit('QUERY_TOO_LONG') },
    }) as Plugin,
    // A request a browser could send cross-site without a preflight must carry this header (JSON bodies do not need it).
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
    requestShape(),
  ];
  if (!options.introspection) plugins.push(useDisableIntrospection());
  return plugins;
}

/**
 * Requests GraphQL can run but not as sent, refused with HTTP 400 and a
 * message that says what to change (before yoga's own checks, which answer
 * a batch over the limit with 413):
 * - a batch of more than GRAPHQL_LIMITS.batch operations;
 * - an automatic persisted query (Apollo's APQ) sent as its hash alone: the
 *   gateway keeps no queries, and `PersistedQueryNotSupported` is the answer
 *   on which such clients send the whole query from then on. A request with
 *   both the hash and the query simply runs the query.
 */
function requestShape(): Plugin {
  const refuse = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
  return {
    onRequestParse: () => ({
      onRequestParseDone: ({ requestParserResult }) => {
        const operations = Array.isArray(requestParserResult) ? requestParserResult : [requestParserResult];
        if (operations.length > GRAPHQL_LIMITS.batch) {
          throw refuse(`A batch may hold at most ${GRAPHQL_LIMITS.batch} operations; this one has ${operations.length}: send them in smaller batches.`, 'BATCH_TOO_LARGE');
        }
        for (const params of operations) {
          if (params.query === undefined && params.extensions?.persistedQuery !== undefined) throw refuse('PersistedQueryNotSupported', 'PERSISTED_QUERY_NOT_SUPPORTED');
        }
      },
    }),
  };
}

/** Why an HTTP request to /graphql is refused before GraphQL sees it, or null. */
export function refuseRequest(method: string | undefined, headers: { 'content-length'?: string; authorization?: string }): { status: number; code: string; message: string } | null {
  if (method === 'POST' && headers['content-length'] === undefined) {
    return { status: 411, code: 'LENGTH_REQUIRED', message: 'Send a Content-Length header (bodies are limited in size).' };
  }
  const length = Number(headers['content-length'] ?? 0);
  if (length > GRAPHQL_LIMITS.bodyBytes) return { status: 413, code: 'REQUEST_TOO_LARGE', message: `The request body is over ${GRAPHQL_LIMITS.bodyBytes} bytes.` };
  if ((headers.authorization ?? '').length > GRAPHQL_LIMITS.authorizationChars) {
    return { status: 431, code: 'REQUEST_TOO_LARGE', message: `The Authorization header is over ${GRAPHQL_LIMITS.authorizationChars} characters.` };
  }
  return null;
}

/**
 * A per-client budget of points per second: `take(client, points)` answers
 * null when the client may go on, else how many seconds to wait. 0: no limit.
 */
export function rateLimiter(pointsPerSecond: number): (client: string, points?: number) => Promise<number | null> {
  if (pointsPerSecond === 0) return async () => null;
  const limiter = new RateLimiterMemory({ points: pointsPerSecond, duration: 1 });
  return async (client, points = 1) => {
    try {
      await limiter.consume(client, points);
      return null;
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
    }
  };
}

/** Mutations per client per second; a client is a customer (by id) or, without a valid token, an address. */
export function mutationLimiter(perSecond: number): (client: string) => Promise<UserError | null> {
  const take = rateLimiter(perSecond);
  return async (client) => {
    const seconds = await take(client);
    if (seconds === null) return null;
    return { code: 'RATE_LIMITED', message: `Too many changes at once (more than ${perSecond} a second): try again in ${seconds} s.` };
  };
}

/**
 * What a query's fields weigh against --query-rate-limit: a root field
 * answered from the gateway's memory 1, a call to postcodes.io 10, anything
 * else at the root (a read on the primary) QUERY_FIELD_WEIGHT_DEFAULT; below
 * the root, a field that makes a read of its own (a customer's `orders`)
 * weighs QUERY_FIELD_WEIGHT_DEFAULT too.
 */
export const QUERY_FIELD_WEIGHTS: Readonly<Record<string, number>> = { cluster: 1, contactDetail: 1, __typename: 1, __schema: 1, __type: 1, postcode: 10 };
export const QUERY_FIELD_WEIGHT_DEFAULT = 5;
const NESTED_READS: ReadonlySet<string> = new Set(['orders']);

/**
 * Every field an operation selects, fragments (inline and spread) followed
 * wherever they stand, with whether it is a root field. A fragment spread
 * again inside itself is not followed twice (validation refuses such cycles;
 * this guards anyway).
 */
export function visitFields(document: DocumentNode, operation: OperationDefinitionNode, visit: (field: FieldNode, root: boolean) => void): void {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const walk = (selections: readonly SelectionNode[], root: boolean, spread: ReadonlySet<string>) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        visit(selection, root);
        if (selection.selectionSet) walk(selection.selectionSet.selections, false, spread);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet.selections, root, spread);
      } else if (!spread.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet.selections, root, new Set([...spread, selection.name.value]));
      }
    }
  };
  walk(operation.selectionSet.selections, true, new Set());
}

/** The points a query operation costs (its fields' weights, fragments included), or null for another kind of operation. */
export function queryWeight(document: DocumentNode, operationName?: string | null): number | null {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return null;
  let weight = 0;
  visitFields(document, operation, (field, root) => {
    const name = field.name.value;
    if (root) weight += QUERY_FIELD_WEIGHTS[name] ?? QUERY_FIELD_WEIGHT_DEFAULT;
    else if (NESTED_READS.has(name)) weight += QUERY_FIELD_WEIGHT_DEFAULT;
  });
  return Math.max(weight, 1);
}

/** The refusal of a query heavier than a whole second's budget: it could never be answered, so it says so (400). */
export function queryTooHeavy(perSecond: number, weight: number): GraphQLError {
  return new GraphQLError(`This query weighs ${weight} points, more than the ${perSecond} a client may spend in a second: split it into smaller ones.`, {
    extensions: { code: 'QUERY_TOO_HEAVY', http: { status: 400 } },
  });
}

/** The refusal of a query over its client's budget: HTTP 429 with Retry-After, and a code. */
export function queryRateLimited(perSecond: number, seconds: number): GraphQLError {
  return new GraphQLError(`Too many queries at once (more than ${perSecond} points a second; a read of the cluster weighs ${QUERY_FIELD_WEIGHT_DEFAULT}): try again in ${seconds} s.`, {
    extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: { 'retry-after': String(seconds) } } },
  });
}

/** The address a request came from (the socket's peer: the gateway trusts no proxy's headers). */
export function clientAddress(req: { socket: { remoteAddress?: string | undefined } } | undefined): string {
  return req?.socket.remoteAddress ?? 'in-process';
}

/**
 * How many of something each key holds at once, up to `max` (0: no cap):
 * live connections per address, subscriptions to every stock change per
 * client. `acquire` gives the release (safe to call more than once), or
 * null over the cap.
 */
export class PerKeyCap {
  private readonly held = new Map<string, number>();

  constructor(readonly max: number) {}

  acquire(key: string): (() => void) | null {
    const count = this.held.get(key) ?? 0;
    if (this.max > 0 && count >= this.max) return null;
    this.held.set(key, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left === 0) this.held.delete(key);
      else this.held.set(key, left);
    };
  }
}

/** Why a live connection (a WebSocket, or a subscription over HTTP) over --connections-per-address is refused. */
export function tooManyConnections(max: number): string {
  return `Too many live connections from your address (at most ${max} WebSockets and SSE streams together): close one first.`;
}
