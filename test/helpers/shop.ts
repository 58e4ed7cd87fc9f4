// GraphQL documents and small steps shared by the integration tests.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_RUN_TMP } from './build.ts';
import { type GraphQLClient, type GraphQLResponse, SECRET } from './cluster.ts';
import { runJustHungry } from './pty.ts';

/** A catalogue file with 100,000 of each dish (ids as given) and one delivery option, so long runs never sell out. */
export function deepStockCatalog(productIds: string[]): string {
  // In the run's scratch directory (test/helpers/build.ts), which goes when the run ends.
  const file = join(mkdtempSync(join(process.env[TEST_RUN_TMP] ?? tmpdir(), 'catalog-')), 'catalog.json');
  writeFileSync(file, JSON.stringify({
    products: productIds.map((id, i) => ({ id, name: id, description: `dish ${id}`, priceMinor: 500 + i * 100, stock: 100_000 })),
    deliveryOptions: [{ id: 'standard', name: 'Standard', description: 'an hour', costMinor: 299 }],
  }));
  return file;
}

export const ORDER_FIELDS = `id status createdAt deliveryOption { id name cost { minorUnits } }
  lines { productName quantity unitPrice { minorUnits } lineTotal { minorUnits } product { id stock } }
  subtotal { minorUnits } deliveryCost { minorUnits } tip { minorUnits } total { minorUnits formatted }`;

export const SAVE_DETAILS = `mutation Save($input: ContactDetailsInput!) {
  saveContactDetails(input: $input) {
    token customer { id firstName lastName phone postcode address }
    errors { code message field }
  }
}`;

export const PLACE_ORDER = `mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { ${ORDER_FIELDS} } errors { code message field } }
}`;

export const CANCEL_ORDER = `mutation Cancel($input: CancelOrderInput!) {
  cancelOrder(input: $input) { order { ${ORDER_FIELDS} } errors { code message field } }
}`;

export const ORDERS = `query Orders($status: OrderStatus, $active: Boolean, $first: Int, $after: String) {
  viewer { id orders(status: $status, active: $active, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${ORDER_FIELDS} } }
  } }
}`;

export const DETAILS = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  phone: '020 7946 0018',
  postcode: 'sw1a 1aa',
  address: '1 Test Street, London',
};

export async function newCustomer(cluster: GraphQLClient, overrides: Partial<typeof DETAILS> = {}): Promise<string> {
  const response = await cluster.gql(SAVE_DETAILS, { input: { ...DETAILS, ...overrides } });
  const token = response.data?.saveContactDetails?.token;
  if (typeof token !== 'string') throw new Error(`no token: ${JSON.stringify(response)}`);
  return token;
}

export async function stockLevels(cluster: GraphQLClient): Promise<Map<string, number>> {
  const response = await cluster.gql<{ products: { id: string; stock: number }[] }>('{ products { id stock } }');
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return new Map(response.data.products.map((p) => [p.id, p.stock]));
}

export function placeOrder(cluster: GraphQLClient, token: string, lines: { productId: string; quantity: number }[], key: string = randomUUID(), deliveryOptionId = 'standard') {
  return cluster.gql(PLACE_ORDER, { input: { idempotencyKey: key, lines, deliveryOptionId, tipMinorUnits: deliveryOptionId === 'collection' ? 0 : 100 } }, token);
}

export async function allOrders(cluster: GraphQLClient, token: string): Promise<{ id: string; status: string; lines: { product: { id: string }; quantity: number }[] }[]> {
  const found: { id: string; status: string; lines: { product: { id: string }; quantity: number }[] }[] = [];
  let after: string | null = null;
  for (;;) {
    const response: GraphQLResponse = await cluster.gql(ORDERS, { first: 100, after }, token);
    const connection: { edges: { node: (typeof found)[number] }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } | undefined =
      response.data?.viewer?.orders;
    if (!connection) throw new Error(JSON.stringify(response));
    found.push(...connection.edges.map((e) => e.node));
    if (!connection.pageInfo.hasNextPage) return found;
    after = connection.pageInfo.endCursor;
  }
}

/** One order a customer of `orderingCustomers` tried to place, and how it went. */
export interface OrderAttempt {
  token: string;
  productId: string;
  startedAt: number;
  doneAt: number;
  /** The order's id when it was placed (no error), else null. */
  orderId: string | null;
  /** The response, for a failing test's message. */
  answer: string;
}

/**
 * Customers (one per token) placing one-dish orders back to back until
 * `stop()`, taking `productIds` in turn; every attempt is recorded with its
 * timing. `acked` are the placed ones, `failures` the answers of the rest.
 */
export function orderingCustomers(cluster: GraphQLClient, tokens: string[], productIds: string[]) {
  const attempts: OrderAttempt[] = [];
  let running = true;
  const loops = tokens.map(async (token, c) => {
    for (let i = 0; running; i++) {
      const productId = productIds[(c + i) % productIds.length] ?? 'margherita';
      const startedAt = Date.now();
      const response = await placeOrder(cluster, token, [{ productId, quantity: 1 }]);
      const payload = response.data?.placeOrder as { order: { id: string } | null; errors: unknown[] } | undefined;
      const orderId = payload?.order && payload.errors.length === 0 ? payload.order.id : null;
      attempts.push({ token, productId, startedAt, doneAt: Date.now(), orderId, answer: JSON.stringify(response).slice(0, 300) });
    }
  });
  return {
    tokens,
    attempts,
    get acked(): { token: string; productId: string; orderId: string }[] {
      return attempts.flatMap((a) => (a.orderId === null ? [] : [{ token: a.token, productId: a.productId, orderId: a.orderId }]));
    },
    get failures(): string[] {
      return attempts.filter((a) => a.orderId === null).map((a) => a.answer);
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** A member of staff made the way an operator makes one (`just-hungry staff add`), with the token it prints once. */
export async function addStaff(cluster: { dataDir: string; gatewayUrl: string }, name: string, role: 'kitchen' | 'courier' | 'operator'): Promise<{ token: string; staff: { id: string; name: string; role: string } }> {
  // The test clusters' processes take their secret from the environment (cluster.ts), so the command does too.
  const added = await runJustHungry(['staff', 'add', name, '--role', role, '--json', '--data', cluster.dataDir, '--gateway', cluster.gatewayUrl], { JH_CLUSTER_SECRET: SECRET });
  if (added.code !== 0) throw new Error(`staff add: ${added.stderr}`);
  return JSON.parse(added.stdout) as { token: string; staff: { id: string; name: string; role: string } };
}
