// Order history (newest first, every page) and cancelling an active order,
// for the menu, and the same history as text or JSON for scripts.
import { randomUUID } from 'node:crypto';
import { confirm, select } from '@inquirer/prompts';
import type { OrderFieldsFragment, OrderStatus, OrdersQuery as OrdersPage } from '../gql/graphql.js';
import { CancelOrderMutation, OrdersQuery } from '../operations.js';
import { bad, good, orderBlock, orderSummary, say } from './output.js';

/** Statuses in which the customer may still cancel (the API's rule, which refuses any other). */
const CANCELLABLE: ReadonlySet<OrderStatus> = new Set(['PLACED', 'ACCEPTED']);
import type { Session } from './session.js';

/** The API's largest page, and a bound on how many we follow (10 000 orders). */
const PAGE_SIZE = 100;
const PAGES_MAX = 100;

/** Every order of the session's customer, newest first; null when there is no known customer. */
export async function allOrders(session: Session, active: boolean | null = null): Promise<OrderFieldsFragment[] | null> {
  if (!session.token) return null;
  const orders: OrderFieldsFragment[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < PAGES_MAX; pages++) {
    // Annotated: `after` is narrowed by this very loop, which TypeScript cannot infer through.
    const page: OrdersPage = await session.api.query(OrdersQuery, { active, first: PAGE_SIZE, after });
    const viewer = page.viewer;
    if (!viewer) return null;
    orders.push(...viewer.orders.edges.map((edge) => edge.node));
    const { hasNextPage, endCursor } = viewer.orders.pageInfo;
    if (!hasNextPage || !endCursor) return orders;
    after = endCursor;
  }
  return orders;
}

const NO_CUSTOMER = 'You have not ordered anything yet from this gateway.';

export async function showHistory(session: Session): Promise<void> {
  const orders = await allOrders(session);
  if (!orders) return say(NO_CUSTOMER);
  if (orders.length === 0) return say('You have no orders yet.');
  say(`Your orders, newest first (${orders.length}):`);
  for (const order of orders) say('', ...orderBlock(order));
}

export async function cancelOrder(session: Session): Promise<void> {
  const all = await allOrders(session, true);
  if (!all) return say(NO_CUSTOMER);
  // A customer may cancel an order until the kitchen starts cooking it.
  const orders = all.filter((order) => CANCELLABLE.has(order.status));
  if (orders.length === 0) return say('You have no orders that can still be cancelled (an order can be until the kitchen starts cooking it).');
  const id = await select<string | null>({
    message: 'Which order do you want to cancel?',
    choices: [...orders.map((order) => ({ name: orderSummary(order), value: order.id })), { name: 'None: back to the menu', value: null }],
    pageSize: Math.min(orders.length + 1, 15),
  });
  if (id === null) return;
  if (!(await confirm({ message: `Cancel order #${id}?`, default: false }))) return say(`Order #${id} kept.`);
  const { cancelOrder: payload } = await session.api.mutation(CancelOrderMutation, { input: { orderId: id, idempotencyKey: randomUUID() } });
  if (payload.order) return say(good(`Order #${payload.order.id} cancelled: ${payload.order.total.formatted} refunded in full.`));
  say(bad(`Order #${id} was not cancelled:`), ...payload.errors.map((e) => `  ${e.message}`));
}

/** `--history --json`: one JSON document on stdout, the orders as the API's Order type, newest first. */
export function historyJson(orders: OrderFieldsFragment[]): string {
  return `${JSON.stringify({ orders }, null, 2)}\n`;
}
