// Business rules: a command, checked against the primary's state, becomes an
// effect (or the user's errors). Runs on the primary only, once per request.
import { randomUUID } from 'node:crypto';
import type { Command } from '../protocol.ts';
import type { Effect } from './effects.ts';
import { validateContactDetails } from './contact.ts';
import { ANONYMOUS, type KeyedRequest, type Remembered, keyReused, requestHash, validateIdempotencyKey } from './idempotency.ts';
import { STOCK_RETURNED, checkCancel, checkMove, checkStaffName, fulfilmentOf } from './lifecycle.ts';
import { priceCart, toQuote } from './pricing.ts';
import {
  type ActorRole,
  type Customer,
  type DeliveryOption,
  type Order,
  type OrderStatus,
  type Outcome,
  type Product,
  type Staff,
  fail,
  ok,
  userError,
} from './types.ts';

/** The state a command is checked against (the primary's, open batch included). */
export interface StateView {
  product(id: string): Product | null;
  deliveryOptions(): DeliveryOption[];
  catalogLoaded(): boolean;
  customer(id: string): Customer | null;
  order(customerId: string, orderId: string): Order | null;
  /** Any customer's order, for staff. */
  orderById(orderId: string): Order | null;
  staffMember(id: string): Staff | null;
  orderByIdempotencyKey(customerId: string, key: string): Order | null;
  /** What `key` of `scope` was first used for, if it was. */
  remembered(scope: string, key: string): Remembered | null;
  lastOrderId(): number;
}

/** What executing a command gives: the answer, and the effect to commit if any. */
export interface Execution {
  outcome: Outcome<unknown>;
  effect: Effect | null;
}

const answer = (outcome: Outcome<unknown>, effect: Effect | null = null): Execution => ({ outcome, effect });

/**
 * Runs a command once: a command with an idempotency key that was already
 * used answers with the first answer (the same request) or is refused (a
 * different one); otherwise it runs, and its effect records the key.
 */
export function execute(command: Command, state: StateView, now: Date): Execution {
  if (command.type === 'loadCatalog' || command.idempotencyKey == null) return executeOnce(command, state, now);
  const checked = validateIdempotencyKey(command.idempotencyKey);
  if (!checked.ok) return answer(checked);
  const keyed: KeyedRequest = {
    scope: keyScope(command),
    key: checked.value,
    requestHash: requestHash(command),
  };
  const earlier = state.remembered(keyed.scope, keyed.key);
  if (earlier) return answer(earlier.requestHash === keyed.requestHash ? ok(earlier.result) : fail(keyReused()));
  const run = executeOnce(command, state, now);
  return run.effect && run.effect.type !== 'catalogLoaded' ? { ...run, effect: { ...run.effect, idempotency: keyed } } : run;
}

/** Whose namespace an idempotency key is in: the customer's, the staff member's, or, for sign-ups and staff changes, nobody's. */
function keyScope(command: Exclude<Command, { type: 'loadCatalog' }>): string {
  switch (command.type) {
    case 'createCustomer':
      return ANONYMOUS;
    case 'addStaff':
    case 'removeStaff':
      return STAFF_ADMIN;
    case 'moveOrder':
      return command.actorId;
    default:
      return command.customerId;
  }
}

/** The scope of keys of staff changes (made with the cluster secret, not by a customer or staff member). */
const STAFF_ADMIN = 'staff-admin';

function executeOnce(command: Command, state: StateView, now: Date): Execution {
  switch (command.type) {
    case 'loadCatalog':
      if (state.catalogLoaded()) return answer(ok(null));
      return withResult({ type: 'catalogLoaded', products: command.products, deliveryOptions: command.deliveryOptions });
    case 'createCustomer': {
      const details = validateContactDetails(command.details);
      if (!details.ok) return answer(details);
      return withResult({ type: 'customerSaved', customer: { id: randomUUID(), ...details.value }, tokenHash: command.tokenHash });
    }
    case 'updateCustomer': {
      if (!state.customer(command.customerId)) return answer(fail(userError('NOT_AUTHENTICATED', 'Unknown customer.')));
      const details = validateContactDetails(command.details);
      if (!details.ok) return answer(details);
      return withResult({ type: 'customerSaved', customer: { id: command.customerId, ...details.value } });
    }
    case 'placeOrder':
      return placeOrder(command, state, now);
    case 'cancelOrder':
      return moveOrder({ orderId: command.orderId, to: 'CANCELLED', by: 'CUSTOMER', actorId: command.customerId }, state, now);
    case 'moveOrder':
      return moveOrder(command, state, now);
    case 'addStaff': {
      const name = checkStaffName(command.name);
      if (!name.ok) return answer(name);
      return withResult({ type: 'staffAdded', staff: { id: randomUUID(), name: name.value, role: command.role }, tokenHash: command.tokenHash });
    }
    case 'removeStaff': {
      const staff = state.staffMember(command.staffId);
      if (!staff) return answer(fail(userError('STAFF_NOT_FOUND', `There is no member of staff ${command.staffId}.`, ['staffId'])));
      return withResult({ type: 'staffRemoved', staff });
    }
  }
}

function withResult(effect: Effect): Execution {
  switch (effect.type) {
    case 'catalogLoaded':
      return answer(ok(null), effect);
    case 'customerSaved':
      return answer(ok(effect.customer), effect);
    case 'orderPlaced':
    case 'orderCancelled':
    case 'orderMoved':
      return answer(ok(effect.order), effect);
    case 'staffAdded':
    case 'staffRemoved':
      return answer(ok(effect.staff), effect);
  }
}

function placeOrder(command: Extract<Command, { type: 'placeOrder' }>, state: StateView, now: Date): Execution {
  const key = command.idempotencyKey;
  const customer = state.customer(command.customerId);
  if (!customer) return answer(fail(userError('NOT_AUTHENTICATED', 'Unknown customer.')));
  // An order placed before keys were remembered with their request (execute) answers a retry as it did then.
  const earlier = state.orderByIdempotencyKey(command.customerId, key);
  if (earlier) return answer(ok(earlier));

  const priced = priceCart(command, (id) => state.product(id), state.deliveryOptions());
  if (!priced.ok) return answer(priced);
  const cart = priced.value;
  if (!cart.deliveryOption) return answer(fail(userError('UNKNOWN_DELIVERY_OPTION', 'Choose a delivery option.', ['deliveryOptionId'])));

  const stock: { productId: string; stock: number }[] = [];
  const short = cart.lines.flatMap((line) => {
    const available = state.product(line.productId)?.stock ?? 0;
    stock.push({ productId: line.productId, stock: available - line.quantity });
    if (line.quantity <= available) return [];
    const index = command.lines.findIndex((l) => l.productId === line.productId);
    const left = available === 0 ? 'it is sold out' : `only ${available} left`;
    return [userError('OUT_OF_STOCK', `Not enough "${line.productName}": ${left}.`, ['lines', String(index), 'quantity'])];
  });
  if (short.length > 0) return answer(fail(...short));

  const order: Order = {
    id: String(state.lastOrderId() + 1),
    customerId: command.customerId,
    idempotencyKey: key,
    status: 'PLACED',
    createdAt: now.toISOString(),
    deliveryOption: { ...cart.deliveryOption, fulfilment: fulfilmentOf(cart.deliveryOption) },
    ...toQuote(cart),
    timeline: [{ status: 'PLACED', at: now.toISOString(), by: 'CUSTOMER' }],
    deliverTo: { name: `${customer.firstName} ${customer.lastName}`, phone: customer.phone, address: customer.address, postcode: customer.postcode },
  };
  return withResult({ type: 'orderPlaced', order, stock });
}

/**
 * A move of an order's status (lifecycle.ts): by its customer (who must own
 * it) or by staff. Repeating a move already made is a success that changes
 * nothing; a move to REJECTED or CANCELLED gives the order's stock back.
 */
function moveOrder(
  move: { orderId: string; to: OrderStatus; by: ActorRole; actorId: string; reason?: string | null },
  state: StateView,
  now: Date,
): Execution {
  // A member of staff moves as what the replicated record says they are, now: one removed since the gateway looked
  // them up moves nothing, and the role is the record's, not the request's.
  let by = move.by;
  if (by !== 'CUSTOMER') {
    const actor = state.staffMember(move.actorId);
    if (!actor) return answer(fail(userError('STAFF_NOT_FOUND', `There is no member of staff ${move.actorId}: their token no longer works.`)));
    by = actor.role;
  }
  const order = by === 'CUSTOMER' ? state.order(move.actorId, move.orderId) : state.orderById(move.orderId);
  if (!order) return answer(fail(userError('ORDER_NOT_FOUND', by === 'CUSTOMER' ? `You have no order ${move.orderId}.` : `There is no order ${move.orderId}.`, ['orderId'])));
  const current = { id: order.id, status: order.status, fulfilment: fulfilmentOf(order.deliveryOption) };
  // A customer's one move is their cancel, refused in cancelOrder's own terms.
  const checked = by === 'CUSTOMER' && move.to === 'CANCELLED' ? checkCancel(current) : checkMove(current, move.to, by, move.reason ?? null);
  if (!checked.ok) return answer(checked);
  if (checked.value.step === 'already') return answer(ok(order));
  const stock = STOCK_RETURNED.has(move.to)
    ? order.lines.map((line) => ({ productId: line.productId, stock: (state.product(line.productId)?.stock ?? 0) + line.quantity }))
    : [];
  const moved: Order = {
    ...order,
    status: move.to,
    timeline: [...order.timeline, { status: move.to, at: now.toISOString(), by }],
    ...(checked.value.reason === null ? {} : { rejectReason: checked.value.reason }),
  };
  return withResult({ type: 'orderMoved', order: moved, stock });
}
