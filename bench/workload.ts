// What the benchmark clients send: the GraphQL documents, customers made
// through `saveContactDetails`, and request makers that give every placeOrder
// its own idempotency key and spread the requests over many customers (so
// that no per-customer list dominates).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Catalog } from '../replicas/domain/types.ts';
import { DeliveryOptionWire, ProductWire } from '../replicas/protocol.ts';
import type { LoadRequest } from './load.ts';
import { BENCH_CATALOG } from './cluster.ts';

export const PLACE_ORDER = `mutation Place($input: PlaceOrderInput!) {
  placeOrder(input: $input) { order { id status total { minorUnits } } errors { code message } }
}`;

export const PRODUCTS = '{ products { id name price { minorUnits formatted } stock } }';

export const ORDERS = `query Orders { viewer { orders(first: 10) { totalCount
  edges { node { id status createdAt total { minorUnits } lines { productName quantity } } } } } }`;

const SAVE_DETAILS = `mutation Save($input: ContactDetailsInput!) {
  saveContactDetails(input: $input) { token customer { id } errors { code message } }
}`;

const SaveAnswer = z.object({
  data: z.object({
    saveContactDetails: z.object({ token: z.string().nullable(), customer: z.object({ id: z.string() }).nullable(), errors: z.array(z.object({ message: z.string() })) }),
  }),
});
const PlaceAnswer = z.object({ data: z.object({ placeOrder: z.object({ order: z.object({ id: z.string() }).nullable(), errors: z.array(z.object({ code: z.string(), message: z.string() })) }) }) });

const CatalogFile = z.object({ products: z.array(ProductWire), deliveryOptions: z.array(DeliveryOptionWire) });

/** The benchmark's catalogue: the usual dishes with stock for any run (Product.stock is a GraphQL Int, so at most 2^31 - 1). */
export function loadBenchCatalog(): Catalog {
  return CatalogFile.parse(JSON.parse(readFileSync(BENCH_CATALOG, 'utf8')));
}

const catalog = loadBenchCatalog();
const PRODUCT_IDS = catalog.products.map((p) => p.id);
const DELIVERY_IDS = catalog.deliveryOptions.map((d) => d.id);

/** Customers made at once while preparing a run. */
const SETUP_CONCURRENCY = 16;
/** Preparing is not measured: a refused write (say, a view change on a busy machine) is tried again, this many times. */
const SETUP_ATTEMPTS_MAX = 50;
const SETUP_RETRY_MS = 200;

export async function graphql(graphqlUrl: string, query: string, variables: Record<string, unknown>, token?: string): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(graphqlUrl, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return response.json();
}

export interface BenchCustomer {
  id: string;
  token: string;
}

/** Makes `count` customers through GraphQL. */
export async function makeCustomers(graphqlUrl: string, count: number): Promise<BenchCustomer[]> {
  const customers: BenchCustomer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const input = { firstName: 'Bench', lastName: `Customer ${i}`, phone: '020 7946 0018', postcode: 'SW1A 1AA', address: `${i} Bench Road, London` };
      for (let attempt = 1; ; attempt++) {
        const answer = SaveAnswer.parse(await graphql(graphqlUrl, SAVE_DETAILS, { input }));
        const { token, customer, errors } = answer.data.saveContactDetails;
        if (token && customer) {
          customers.push({ id: customer.id, token });
          break;
        }
        if (attempt >= SETUP_ATTEMPTS_MAX) throw new Error(`saveContactDetails failed ${attempt} times: ${JSON.stringify(errors)}`);
        await new Promise((resolve) => setTimeout(resolve, SETUP_RETRY_MS));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count) }, worker));
  return customers;
}

/** Places one order (for probes and for giving customers a history); throws unless it succeeded. */
export async function placeOneOrder(graphqlUrl: string, token: string): Promise<string> {
  const answer = PlaceAnswer.parse(await graphql(graphqlUrl, PLACE_ORDER, { input: orderInput(0) }, token));
  const { order, errors } = answer.data.placeOrder;
  if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(errors)}`);
  return order.id;
}

let orderCounter = 0;
let directCounter = 0;
const runId = randomUUID().slice(0, 8);

interface OrderInput {
  idempotencyKey: string;
  lines: { productId: string; quantity: number }[];
  deliveryOptionId: string;
  tipMinorUnits: number | null;
}

/** One or two lines, a delivery option and sometimes a tip; a new idempotency key every time. */
function orderInput(n: number): OrderInput {
  const product = (i: number) => PRODUCT_IDS[i % PRODUCT_IDS.length] ?? '';
  const lines = [{ productId: product(n), quantity: 1 }];
  if (n % 3 === 0) lines.push({ productId: product(n + 3), quantity: 2 });
  return {
    idempotencyKey: `bench-${runId}-${++orderCounter}`,
    lines,
    deliveryOptionId: DELIVERY_IDS[n % DELIVERY_IDS.length] ?? '',
    tipMinorUnits: n % 4 === 0 ? 100 : null,
  };
}

/** A placeOrder per call, round-robin over the customers, each with a unique idempotency key. */
export function placeOrders(customers: BenchCustomer[]): () => LoadRequest {
  let n = 0;
  return () => {
    const i = n++;
    return { body: JSON.stringify({ query: PLACE_ORDER, variables: { input: orderInput(i) } }), token: customers[i % customers.length]?.token };
  };
}

/**
 * The same orders as write commands sent straight to the primary's `/write`
 * (cluster secret, current epoch), skipping GraphQL: a quick way to make a
 * backup miss many writes. Not used for any throughput figure.
 */
export function primaryWrites(customers: BenchCustomer[], epoch: number): () => LoadRequest {
  let n = 0;
  return () => {
    const i = n++;
    const command = { type: 'placeOrder', customerId: customers[i % customers.length]?.id, ...orderInput(i) };
    return { body: JSON.stringify({ requests: [{ epoch, requestId: `bench-direct-${runId}-${++directCounter}`, command }] }) };
  };
}

/** The primary's answer to a `/write-batch` of one: committed, with the order (not a refusal, not the user's errors). */
export function primaryWriteSucceeded(status: number, body: string): boolean {
  return status === 200 && WriteAnswer.safeParse(JSON.parse(body)).success;
}

const WriteAnswer = z.object({ answers: z.tuple([z.object({ ok: z.literal(true), outcome: z.object({ ok: z.literal(true) }) })]) });

const PRODUCTS_BODY = JSON.stringify({ query: PRODUCTS });
const ORDERS_BODY = JSON.stringify({ query: ORDERS });

export function readProducts(): () => LoadRequest {
  return () => ({ body: PRODUCTS_BODY });
}

/** A customer's latest orders (the viewer's `orders` connection), round-robin over the customers. */
export function readOrders(customers: BenchCustomer[]): () => LoadRequest {
  let n = 0;
  return () => ({ body: ORDERS_BODY, token: customers[n++ % customers.length]?.token });
}
