// The customers of a chaos run: each client is one customer at a time, doing
// what customers do (save details, quote, place, cancel, read their history
// and the menu) with choices from its own seeded stream, straight against the
// gateway. Every request has a timeout; a timeout is an unknown outcome, and
// a checkout whose outcome is unknown is sent again with the same
// idempotencyKey until it is answered. Everything is recorded for the
// checker. (Staff, who move the orders along, are staff.ts.)
import { MOVES } from '../replicas/domain/lifecycle.ts';
import type { ContactDetails, Fulfilment, OrderStatus } from '../replicas/domain/types.ts';
import { sleep } from '../replicas/sleep.ts';
import type { Line, Op, OrderSeen, QuoteSeen, Recorder, StatusSeen, StepSeen } from './history.ts';
import { mayHaveApplied } from './outcomes.ts';
import { Random } from './random.ts';

/** A customer places at most this many checkouts, so its tips (1..N) tell its orders apart and one page holds them all. */
export const KEYS_PER_CUSTOMER = 60;
const PLACE_ATTEMPTS_MAX = 8;
const CANCEL_ATTEMPTS_MAX = 5;
const CREATE_ATTEMPTS_MAX = 20;
const ORDERS_PAGE = 100;
const THINK_MS = [5, 80] as const;
const IMPATIENT_SHARE = 0.1;
const IMPATIENT_MS = [150, 1500] as const;

export interface CatalogInfo {
  products: { id: string; name: string; priceMinor: number; stock: number }[];
  deliveryOptions: { id: string; costMinor: number; fulfilment: Fulfilment }[];
  /** Products with little stock, ordered more often so checkouts race for them. */
  scarce: string[];
}

export interface WorkloadConfig {
  gatewayUrl: string;
  seed: number;
  clients: number;
  requestTimeoutMs: number;
  catalog: CatalogInfo;
  recorder: Recorder;
}

// ---- GraphQL over HTTP ---------------------------------------------------------------------

const ORDER_FIELDS = 'id status tip { minorUnits } deliveryOption { id } lines { productName quantity }';

const SAVE = `mutation Save($input: ContactDetailsInput!) {
  saveContactDetails(input: $input) { token customer { id firstName lastName phone postcode address } errors { code message } }
}`;
const QUOTE = `query Quote($input: OrderQuoteInput!) {
  orderQuote(input: $input) {
    quote { lines { productName quantity lineTotal { minorUnits } } subtotal { minorUnits } deliveryCost { minorUnits } tip { minorUnits } total { minorUnits } }
    errors { code message }
  }
}`;
const PLACE = `mutation Place($input: PlaceOrderInput!) { placeOrder(input: $input) { order { ${ORDER_FIELDS} } errors { code message } } }`;
/** Added to a key's tip for a reuse of it with another cart: no checkout's own tip comes near. */
export const REUSE_TIP_OFFSET = 1_000_000;
const CANCEL = `mutation Cancel($input: CancelOrderInput!) { cancelOrder(input: $input) { order { id status } errors { code message } } }`;
const ordersQuery = (fields: string) => `query Orders($first: Int, $after: String) {
  viewer { id firstName lastName phone postcode address
    orders(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${fields} } } }
  }
}`;
const ORDERS = ordersQuery(ORDER_FIELDS);
/** The final read: each order with its whole timeline, the path the checker judges. */
export const ORDERS_WITH_TIMELINES = ordersQuery(`${ORDER_FIELDS} timeline { status at by }`);
const PRODUCTS = '{ products { id stock } }';

export type Answer = { kind: 'data'; data: Record<string, unknown> } | { kind: 'unknown'; code: string; message: string };

/** One GraphQL request with a deadline; anything but a clean answer is `unknown`. */
export async function graphql(gatewayUrl: string, query: string, variables: Record<string, unknown>, token: string | null, timeoutMs: number): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
    return { kind: 'unknown', code: timedOut ? 'TIMEOUT' : 'NETWORK', message: error instanceof Error ? error.message : String(error) };
  }
  let body: { data?: Record<string, unknown> | null; errors?: { message?: string; extensions?: { code?: unknown } }[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { kind: 'unknown', code: `HTTP_${response.status}`, message: text.slice(0, 200) };
  }
  const error = body.errors?.[0];
  if (error || !body.data) {
    const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : `HTTP_${response.status}`;
    return { kind: 'unknown', code, message: error?.message ?? 'no data' };
  }
  return { kind: 'data', data: body.data };
}

interface Payload {
  errors?: { code: string; message: string }[];
}

function field<T>(data: Record<string, unknown>, name: string): T & Payload {
  return (data[name] ?? {}) as T & Payload;
}

/** The outcome and error code of an answer whose payload is `name`. */
export function judge(answer: Answer, name: string): { outcome: Op['outcome']; code?: string; message?: string; payload: Record<string, unknown> | null } {
  if (answer.kind === 'unknown') return { outcome: 'unknown', code: answer.code, message: answer.message, payload: null };
  const payload = field<Record<string, unknown>>(answer.data, name);
  const error = payload.errors?.[0];
  if (error) return { outcome: 'fail', code: error.code, message: error.message, payload };
  return { outcome: 'ok', payload };
}

/** Sends a client's requests, each with its deadline, and times them on the run's clock: what every client (customer or staff) does. */
export class Caller {
  constructor(
    private readonly gatewayUrl: string,
    private readonly requestTimeoutMs: number,
    private readonly recorder: Recorder,
    /** Its own stream, so how impatient one kind of client is leaves the others' choices alone. */
    private readonly impatience: Random,
  ) {}

  async timed(client: number, customerId: string | null, query: string, variables: Record<string, unknown>, token: string | null) {
    const id = this.recorder.opId();
    const start = this.recorder.now();
    const answer = await graphql(this.gatewayUrl, query, variables, token, this.timeoutMs());
    const timing = { id, client, customerId, start, end: this.recorder.now() };
    return { timing, answer };
  }

  /**
   * Most requests wait `requestTimeoutMs`; an impatient few give up much
   * sooner, so unknown outcomes (and a retry racing its own first attempt
   * inside the gateway) happen even when failovers are quick.
   */
  private timeoutMs(): number {
    return this.impatience.chance(IMPATIENT_SHARE) ? this.impatience.int(IMPATIENT_MS[0], IMPATIENT_MS[1]) : this.requestTimeoutMs;
  }
}

/**
 * After an attempt at a keyed write: whether to send it again with the same
 * key, having paused (longer after each attempt). Not after an
 * acknowledgement or a definite failure, nor, once the run is stopping, after
 * a third attempt. The caller bounds the attempts.
 */
export async function sendAgain(op: Op, attempt: number, stopping: boolean): Promise<boolean> {
  if (op.outcome === 'ok' || !mayHaveApplied(op) || (stopping && attempt >= 3)) return false;
  await sleep(Math.min(1500, 150 * attempt));
  return true;
}

// ---- clients ---------------------------------------------------------------------------------------

interface Session {
  token: string;
  customerId: string;
  keys: number;
  saves: number;
  /** Orders this client may try to cancel: last seen PLACED or ACCEPTED (the kitchen may have moved them on since: a race). */
  active: Set<string>;
}

interface WireOrder {
  id: string;
  status: OrderStatus;
  tip: { minorUnits: number };
  deliveryOption: { id: string };
  lines: { productName: string; quantity: number }[];
  timeline?: StepSeen[];
}

/** The statuses a customer may cancel from (the lifecycle's moves to CANCELLED). */
const CANCELLABLE: ReadonlySet<StatusSeen> = new Set(MOVES.filter((m) => m.to === 'CANCELLED').map((m) => m.from));
/** The orders staff may pick from without a read (the newest placed): at most this many are kept. */
const PLACED_KEPT_MAX = 200;

export class Workload {
  private stopping = false;
  private loops: Promise<void>[] = [];
  /** Every customer a client holds a token for, for the final read. */
  readonly customers: { customerId: string; token: string; client: number }[] = [];
  /** Orders whose placement was acknowledged, newest last: staff may act on these without reading first. */
  readonly placed: string[] = [];
  private readonly idOfName: Map<string, string>;
  private readonly caller: Caller;
  private readonly plentiful: string[];

  constructor(private readonly config: WorkloadConfig) {
    this.idOfName = new Map(config.catalog.products.map((p) => [p.name, p.id]));
    this.caller = new Caller(config.gatewayUrl, config.requestTimeoutMs, config.recorder, Random.derive(config.seed, 'timeouts'));
    const plentiful = config.catalog.products.map((p) => p.id).filter((id) => !config.catalog.scarce.includes(id));
    this.plentiful = plentiful.length > 0 ? plentiful : config.catalog.products.map((p) => p.id);
  }

  /** Makes each client's first customer (before any fault), so subscribers can follow them from their first order. */
  async createCustomers(): Promise<Session[]> {
    const sessions: Session[] = [];
    for (let c = 0; c < this.config.clients; c++) {
      const session = await this.newCustomer(c, Random.derive(this.config.seed, `client ${c} setup`));
      if (!session) throw new Error(`client ${c} could not create its customer`);
      sessions.push(session);
    }
    return sessions;
  }

  start(sessions: Session[]): void {
    this.loops = sessions.map((session, c) => this.run(c, session));
  }

  /** No new operations; each client finishes the one it is in (retries included). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async run(client: number, first: Session): Promise<void> {
    const random = Random.derive(this.config.seed, `client ${client}`);
    let session: Session | null = first;
    while (!this.stopping) {
      if (!session || session.keys >= KEYS_PER_CUSTOMER) {
        session = await this.newCustomer(client, random);
        continue;
      }
      const action = random.weighted([
        ['place', 40],
        ['cancel', session.active.size > 0 ? 20 : 0],
        ['orders', 12],
        ['products', 8],
        ['quote', 10],
        ['details', 4],
      ] as const);
      switch (action) {
        case 'place':
          await this.place(client, session, random);
          break;
        case 'cancel':
          await this.cancel(client, session, random);
          break;
        case 'orders':
          await this.readOrders(client, session);
          break;
        case 'products':
          await this.readProducts(client, session);
          break;
        case 'quote':
          await this.quote(client, session, random);
          break;
        case 'details':
          await this.updateDetails(client, session);
          break;
      }
      await sleep(random.int(THINK_MS[0], THINK_MS[1]));
    }
  }

  private async newCustomer(client: number, random: Random): Promise<Session | null> {
    for (let attempt = 1; attempt <= CREATE_ATTEMPTS_MAX && !this.stopping; attempt++) {
      const details = contactDetails(client, random.int(1, 999));
      const call = await this.caller.timed(client, null, SAVE, { input: details }, null);
      const { outcome, code, message, payload } = judge(call.answer, 'saveContactDetails');
      const customer = payload?.customer as { id: string } | undefined;
      const token = payload?.token;
      const ok = outcome === 'ok' && customer && typeof token === 'string';
      this.config.recorder.op({
        ...call.timing,
        customerId: ok ? customer.id : null,
        type: 'createCustomer',
        details,
        outcome: ok ? 'ok' : outcome === 'ok' ? 'unknown' : outcome,
        code,
        message,
        result: ok ? { customerId: customer.id } : undefined,
      });
      if (ok) {
        this.customers.push({ customerId: customer.id, token, client });
        return { token, customerId: customer.id, keys: 0, saves: 0, active: new Set() };
      }
      await sleep(Math.min(1000, 100 * attempt));
    }
    return null;
  }

  private async updateDetails(client: number, session: Session): Promise<void> {
    session.saves++;
    const details = { ...contactDetails(client, session.saves), firstName: `Client${client}v${session.saves}` };
    const call = await this.caller.timed(client, session.customerId, SAVE, { input: details }, session.token);
    const { outcome, code, message } = judge(call.answer, 'saveContactDetails');
    this.config.recorder.op({ ...call.timing, type: 'updateDetails', details, outcome, code, message });
  }

  private cart(random: Random): { lines: Line[]; deliveryOptionId: string } {
    const { catalog } = this.config;
    const lines: Line[] = [];
    for (let i = random.int(1, 3); i > 0; i--) {
      const scarce = random.chance(0.12) && catalog.scarce.length > 0;
      const productId = scarce ? random.pick(catalog.scarce) : random.pick(this.plentiful);
      lines.push({ productId, quantity: random.int(1, scarce ? 2 : 4) });
    }
    return { lines, deliveryOptionId: random.pick(catalog.deliveryOptions).id };
  }

  private async quote(client: number, session: Session, random: Random): Promise<void> {
    const { lines, deliveryOptionId } = this.cart(random);
    const tipMinor = random.int(0, 500);
    const call = await this.caller.timed(client, session.customerId, QUOTE, { input: { lines, deliveryOptionId, tipMinorUnits: tipMinor } }, session.token);
    const { outcome, code, message, payload } = judge(call.answer, 'orderQuote');
    const quote = payload?.quote as
      | { lines: { productName: string; quantity: number; lineTotal: { minorUnits: number } }[]; subtotal: Money; deliveryCost: Money; tip: Money; total: Money }
      | undefined;
    const result: QuoteSeen | undefined = quote && {
      lines: quote.lines.map((l) => ({ productId: this.idOfName.get(l.productName) ?? l.productName, quantity: l.quantity, lineTotalMinor: l.lineTotal.minorUnits })),
      subtotalMinor: quote.subtotal.minorUnits,
      deliveryCostMinor: quote.deliveryCost.minorUnits,
      tipMinor: quote.tip.minorUnits,
      totalMinor: quote.total.minorUnits,
    };
    this.config.recorder.op({ ...call.timing, type: 'quote', lines, deliveryOptionId, tipMinor, outcome, code, message, result });
  }

  private async place(client: number, session: Session, random: Random): Promise<void> {
    const n = ++session.keys;
    const key = `${session.customerId.slice(0, 8)}-${n}`;
    const { lines, deliveryOptionId } = this.cart(random);
    for (let attempt = 1; attempt <= PLACE_ATTEMPTS_MAX; attempt++) {
      const op = await this.placeOnce(client, session, { key, tipMinor: n, lines, deliveryOptionId }, attempt, false);
      if (op.outcome === 'ok') {
        // Sometimes the client sends an answered checkout again (a double click): it must get the same order.
        if (random.chance(0.1)) await this.placeOnce(client, session, { key, tipMinor: n, lines, deliveryOptionId }, attempt + 1, true);
        // And sometimes a buggy client reuses the key for another cart: it must be refused and place nothing.
        else if (random.chance(0.05)) await this.reuseKey(client, session, key, n, random);
        return;
      }
      if (!(await sendAgain(op, attempt, this.stopping))) return;
    }
  }

  private async placeOnce(client: number, session: Session, order: { key: string; tipMinor: number; lines: Line[]; deliveryOptionId: string }, attempt: number, replay: boolean): Promise<Op> {
    const input = { idempotencyKey: order.key, lines: order.lines, deliveryOptionId: order.deliveryOptionId, tipMinorUnits: order.tipMinor };
    const call = await this.caller.timed(client, session.customerId, PLACE, { input }, session.token);
    const { outcome, code, message, payload } = judge(call.answer, 'placeOrder');
    const wire = payload?.order as WireOrder | undefined;
    const seen = wire ? this.orderSeen(wire) : undefined;
    const op: Op = {
      ...call.timing,
      type: 'placeOrder',
      ...order,
      attempt,
      replay,
      outcome: outcome === 'ok' && !seen ? 'unknown' : outcome,
      code,
      message,
      result: seen,
    };
    this.config.recorder.op(op);
    if (seen && !replay) {
      session.active.add(seen.id);
      this.placed.push(seen.id);
      if (this.placed.length > PLACED_KEPT_MAX) this.placed.splice(0, this.placed.length - PLACED_KEPT_MAX);
    }
    return op;
  }

  private async reuseKey(client: number, session: Session, key: string, tipOfKey: number, random: Random): Promise<void> {
    const { lines, deliveryOptionId } = this.cart(random);
    const tipMinor = tipOfKey + REUSE_TIP_OFFSET;
    const input = { idempotencyKey: key, lines, deliveryOptionId, tipMinorUnits: tipMinor };
    const call = await this.caller.timed(client, session.customerId, PLACE, { input }, session.token);
    const { outcome, code, message, payload } = judge(call.answer, 'placeOrder');
    const wire = payload?.order as WireOrder | undefined;
    this.config.recorder.op({ ...call.timing, type: 'reuseKey', key, tipMinor, lines, deliveryOptionId, outcome, code, message, result: wire ? this.orderSeen(wire) : undefined });
  }

  private async cancel(client: number, session: Session, random: Random): Promise<void> {
    const orderId = random.pick([...session.active].sort());
    session.active.delete(orderId);
    for (let attempt = 1; attempt <= CANCEL_ATTEMPTS_MAX; attempt++) {
      const call = await this.caller.timed(client, session.customerId, CANCEL, { input: { orderId } }, session.token);
      const { outcome, code, message, payload } = judge(call.answer, 'cancelOrder');
      const order = payload?.order as { id: string; status: OrderStatus } | undefined;
      const op: Op = { ...call.timing, type: 'cancelOrder', orderId, attempt, outcome, code, message, result: order ? { id: order.id, status: order.status } : undefined };
      this.config.recorder.op(op);
      if (!(await sendAgain(op, attempt, this.stopping))) return;
    }
  }

  private async readOrders(client: number, session: Session): Promise<void> {
    const call = await this.caller.timed(client, session.customerId, ORDERS, { first: ORDERS_PAGE }, session.token);
    const page = call.answer.kind === 'data' ? this.ordersPage(call.answer.data) : null;
    if (call.answer.kind === 'data' && !page) {
      this.config.recorder.op({ ...call.timing, type: 'readOrders', outcome: 'fail', code: 'NOT_AUTHENTICATED', message: 'viewer is null' });
      return;
    }
    const unknown = call.answer.kind === 'unknown' ? call.answer : null;
    this.config.recorder.op({ ...call.timing, type: 'readOrders', outcome: page ? 'ok' : 'unknown', code: unknown?.code, message: unknown?.message,
      result: page ? { orders: page.orders, totalCount: page.totalCount, hasNextPage: page.hasNextPage } : undefined });
    for (const order of page?.orders ?? []) {
      if (CANCELLABLE.has(order.status)) session.active.add(order.id);
      else session.active.delete(order.id);
    }
  }

  private async readProducts(client: number, session: Session): Promise<void> {
    const call = await this.caller.timed(client, session.customerId, PRODUCTS, {}, null);
    const products = call.answer.kind === 'data' ? (call.answer.data.products as { id: string; stock: number }[] | undefined) : undefined;
    const unknown = call.answer.kind === 'unknown' ? call.answer : null;
    this.config.recorder.op({ ...call.timing, type: 'readProducts', outcome: products ? 'ok' : 'unknown', code: unknown?.code, message: unknown?.message, result: products ? { products } : undefined });
  }

  /** One page of the viewer's orders, with their details, or null without a viewer. */
  ordersPage(data: Record<string, unknown>): { orders: OrderSeen[]; totalCount: number; hasNextPage: boolean; endCursor: string | null; details: ContactDetails } | null {
    const viewer = data.viewer as
      | (ContactDetails & { orders: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: WireOrder }[] } })
      | null
      | undefined;
    if (!viewer) return null;
    const { firstName, lastName, phone, postcode, address } = viewer;
    return {
      orders: viewer.orders.edges.map((edge) => this.orderSeen(edge.node)),
      totalCount: viewer.orders.totalCount,
      hasNextPage: viewer.orders.pageInfo.hasNextPage,
      endCursor: viewer.orders.pageInfo.endCursor,
      details: { firstName, lastName, phone, postcode, address },
    };
  }

  private orderSeen(wire: WireOrder): OrderSeen {
    return {
      id: wire.id,
      status: wire.status,
      tipMinor: wire.tip.minorUnits,
      deliveryOptionId: wire.deliveryOption.id,
      lines: wire.lines.map((line) => ({ productId: this.idOfName.get(line.productName) ?? line.productName, quantity: line.quantity })),
      ...(wire.timeline ? { timeline: wire.timeline.map(({ status, at, by }) => ({ status, at, by })) } : {}),
    };
  }
}

interface Money {
  minorUnits: number;
}

/** Details already in their normalised form, so what is stored equals what was sent. */
function contactDetails(client: number, n: number): ContactDetails {
  return { firstName: `Client${client}`, lastName: 'Chaos', phone: '+442079460018', postcode: 'SW1A 1AA', address: `${n} Chaos Street, London` };
}
