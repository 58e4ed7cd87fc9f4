// The GraphQL-over-HTTP spec, as clients nobody here wrote rely on it: the
// graphql-http audit suite against the gateway, and the refusals of our own
// limits held to the same rule (a response without `data` has a 4xx status),
// each with a code and a message that says what to change. And the largest
// page of orders the schema documents fits the cost limit.
import { type GraphQLObjectType, getNamedType, isObjectType } from 'graphql';
import { auditServer } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.ts';
import { GRAPHQL_LIMITS } from '../server/guards.ts';
import { InProcessCluster } from './helpers/in-process.ts';
import { newCustomer, placeOrder, stockLevels } from './helpers/shop.ts';

const ACCEPT = { accept: 'application/graphql-response+json' };

/** Every field of `type` down to scalars, each object type once on a path (fields with required arguments left out). */
function everyField(type: GraphQLObjectType, seen: ReadonlySet<string>): string {
  return Object.values(type.getFields())
    .filter((field) => field.args.every((arg) => !arg.type.toString().endsWith('!')))
    .flatMap((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) return [field.name];
      return seen.has(named.name) ? [] : [`${field.name} { ${everyField(named, new Set([...seen, named.name]))} }`];
    })
    .join(' ');
}

/** The largest page of orders the schema documents (`first` up to 100), with every field of every order. */
const FULL_PAGE = `orders(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${everyField(buildSchema().getType('Order') as GraphQLObjectType, new Set(['Order', 'Customer']))} } } }`;

describe('GraphQL over HTTP', () => {
  let cluster: InProcessCluster;

  beforeAll(async () => {
    cluster = await InProcessCluster.start();
  }, 120_000);

  afterAll(async () => {
    await cluster?.close();
  });

  it('passes every MUST of the graphql-http audit suite', async () => {
    const results = await auditServer({
      url: `${cluster.gatewayUrl}/graphql`,
      // GETs are "simple" requests a browser sends cross-site: the gateway asks for this header on them (CSRF prevention).
      fetchFn: (input: RequestInfo, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), 'x-graphql-yoga-csrf': '1' } }),
    });
    const failedMusts = results.flatMap((result) => (result.status === 'error' ? [`${result.name}: ${result.reason}`] : []));
    expect(failedMusts).toEqual([]);
    expect(results.filter((result) => result.status === 'ok').length).toBeGreaterThan(30);
  });

  it('refuses a query over each limit with 400, a code, and a message that is not a syntax error', async () => {
    const over = {
      // Only introspection nests this far (and `__type` is not exempt, as `__schema` is).
      QUERY_TOO_DEEP: `{ __type(name: "Order") { fields { type { ${'ofType { '.repeat(GRAPHQL_LIMITS.depth)}name${' }'.repeat(GRAPHQL_LIMITS.depth)} } } } }`,
      QUERY_TOO_COSTLY: `{ viewer { a: ${FULL_PAGE} b: ${FULL_PAGE} } }`,
      TOO_MANY_ALIASES: `{ ${Array.from({ length: GRAPHQL_LIMITS.aliases + 1 }, (_, i) => `a${i}: products { id }`).join(' ')} }`,
      TOO_MANY_DIRECTIVES: `{ products { id ${'@include(if: true) '.repeat(GRAPHQL_LIMITS.directives + 1)} } }`,
      QUERY_TOO_LONG: `{ products { ${'id '.repeat(GRAPHQL_LIMITS.tokens)} } }`,
    };
    for (const [code, query] of Object.entries(over)) {
      const response = await cluster.graphql(JSON.stringify({ query }), ACCEPT);
      const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      expect({ code, status: response.status }).toEqual({ code, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
      expect(body.data).toBeUndefined();
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
      expect(body.errors?.[0]?.message).not.toMatch(/Syntax Error/);
      expect(body.errors?.[0]?.message).toMatch(/limit of \d+ exceeded/);
    }
  });

  it('serves the largest page of orders the schema documents, every field selected', async () => {
    const token = await newCustomer(cluster);
    const [productId] = (await stockLevels(cluster)).keys();
    expect((await placeOrder(cluster, token, [{ productId: productId!, quantity: 1 }])).errors).toBeUndefined();
    const one = await cluster.gql<{ viewer: { orders: { edges: { node: { lines: unknown[] } }[] } } }>(`{ viewer { ${FULL_PAGE} } }`, {}, token);
    expect(one.errors).toBeUndefined();
    expect(one.data?.viewer.orders.edges[0]?.node.lines).toHaveLength(1);
    // Two such pages in one request are refused (the cost test above).
  });

  it('refuses a batch over the limit with 400 and a message that states the limit', async () => {
    const batch = (n: number) => JSON.stringify(Array.from({ length: n }, () => ({ query: '{ cluster { writable } }' })));
    const within = await cluster.graphql(batch(GRAPHQL_LIMITS.batch), ACCEPT);
    expect(within.status).toBe(200);
    expect((await within.json()) as unknown[]).toHaveLength(GRAPHQL_LIMITS.batch);
    const over = await cluster.graphql(batch(GRAPHQL_LIMITS.batch + 1), ACCEPT);
    expect(over.status).toBe(400);
    const body = (await over.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ message: `A batch may hold at most ${GRAPHQL_LIMITS.batch} operations; this one has ${GRAPHQL_LIMITS.batch + 1}: send them in smaller batches.`, extensions: { code: 'BATCH_TOO_LARGE' } });
  });

  it('answers an automatic persisted query sent as its hash with PersistedQueryNotSupported, and runs it when the query comes along', async () => {
    const query = '{ cluster { writable } }';
    const persistedQuery = { version: 1, sha256Hash: 'f2b2e6c1b7a2d1e0c9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6' };
    // What Apollo Client's persisted-queries link sends first, by POST and by GET.
    const hashOnly = await cluster.graphql(JSON.stringify({ extensions: { persistedQuery } }), ACCEPT);
    expect(hashOnly.status).toBe(400);
    expect(await hashOnly.json()).toEqual({ errors: [{ message: 'PersistedQueryNotSupported', extensions: { code: 'PERSISTED_QUERY_NOT_SUPPORTED' } }] });
    const byGet = await cluster.graphql(null, { ...ACCEPT, 'x-graphql-yoga-csrf': '1' }, `?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery }))}`);
    expect(((await byGet.json()) as { errors: { message: string }[] }).errors[0]?.message).toBe('PersistedQueryNotSupported');
    // What it sends once told: the query with the hash; it runs.
    const withQuery = await cluster.graphql(JSON.stringify({ query, extensions: { persistedQuery } }), ACCEPT);
    expect(withQuery.status).toBe(200);
    expect(await withQuery.json()).toEqual({ data: { cluster: { writable: true } } });
  });
});
