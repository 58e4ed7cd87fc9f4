// The gateway's side of every GraphQL operation: authentication, the postcode
// check (the one external call, made before anything is written), and a
// request to the cluster through the router.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { validateContactDetails } from '../replicas/domain/contact.ts';
import { validateIdempotencyKey } from '../replicas/domain/idempotency.ts';
import { checkRejectReason, checkStaffName } from '../replicas/domain/lifecycle.ts';
import { invalidId, validateOrderRequest, validateQuoteInput } from '../replicas/domain/order-input.ts';
import { type Customer, type Outcome, type Staff, type UserError, fail, userError } from '../replicas/domain/types.ts';
import {
  type Command,
  CustomerWire,
  DeliveryOptionWire,
  OrderRecord,
  type StaffAddRequest,
  StaffWire,
  ProductWire,
  QuoteWire,
  type ReadRequest,
  UserErrorWire,
} from '../replicas/protocol.ts';
import type { PlaceOrderInput, Services } from '../schema/services.ts';
import type { PostcodeChecker } from './postcode-checker.ts';
import { RequestRefused, Router, ServiceUnavailable } from './router.ts';
import type { ViewService } from './view-service.ts';
import type { Feeds } from './feeds.ts';
import { hashToken, isStaffToken } from './tokens.ts';
import { nextWriteId } from './request-context.ts';

export const TOKEN_CHARS_MAX = 200;
/** Token hashes whose customer id the gateway remembers, so a mutation needs no lookup round trip. */
const CUSTOMER_IDS_CACHED = 100_000;


/** Shortest idempotency key a sign-up may use: its key alone, with the same details, gets the new customer's token back. */
export const SIGN_UP_KEY_CHARS_MIN = 16;

/**
 * A new customer's token. Without a key, random. With one, derived from it
 * and the cluster secret, so a retried sign-up (answered by the primary with
 * the customer it already made) hands back the same token: only the token's
 * hash is ever stored, so it cannot be looked up. The key itself never
 * leaves the gateway (`signUpKey`): replicas, which hold the secret too,
 * could otherwise derive the token from the key they record.
 */
function newToken(secret: string, idempotencyKey: string | null | undefined): string {
  const bytes = idempotencyKey == null ? randomBytes(32) : createHmac('sha256', secret).update(`customer-token\0${idempotencyKey}`).digest();
  return `jh_${bytes.toString('base64url')}`;
}

/** What a sign-up's key is recorded as by the replicas: a hash, from which its token cannot be derived. */
function signUpKey(idempotencyKey: string): string {
  return createHash('sha256').update(`sign-up-key\0${idempotencyKey}`).digest('hex');
}

/** An optional key as sent, or the user's error; a sign-up's must also be long enough not to be guessed. */
function checkKey(key: string | null | undefined, signUp: boolean): UserError | null {
  if (key == null) return null;
  const checked = validateIdempotencyKey(key);
  if (!checked.ok) return checked.errors[0] ?? null;
  if (signUp && key.length < SIGN_UP_KEY_CHARS_MIN) {
    return userError('INVALID_INPUT', `A sign-up's idempotencyKey must be at least ${SIGN_UP_KEY_CHARS_MIN} characters and random (a UUID): with the same details it gets the new customer's token back.`, ['idempotencyKey']);
  }
  return null;
}

const QuoteOutcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: QuoteWire }),
  z.object({ ok: z.literal(false), errors: z.array(UserErrorWire) }),
]);
const OrderPage = z.object({ orders: z.array(OrderRecord), totalCount: z.number(), hasNextPage: z.boolean() });

export function createServices(deps: { router: Router; views: ViewService; postcodes: PostcodeChecker; feeds: Feeds; secret: string; log: Logger }): Services & {
  /** The customer behind a token the gateway has seen, without asking the cluster; null if it has not (or the token is wrong). */
  knownCustomerId(token: string): string | null;
  /** The cluster's staff, for the operators' endpoints (`just-hungry staff`); SERVICE_UNAVAILABLE as a GraphQLError, as every read. */
  staffList(): Promise<Staff[]>;
  /** One replicated write each, answered as any write: the member, or the user's errors. */
  addStaff(request: StaffAddRequest): Promise<Outcome<Staff>>;
  removeStaff(staffId: string): Promise<Outcome<Staff>>;
} {
  const { router, views, postcodes, feeds, secret, log } = deps;
  // Safe to keep for ever: customers are never deleted and a token hash belongs to one customer.
  const customerIds = new LRUCache<string, string>({ max: CUSTOMER_IDS_CACHED });
  const read = async <T>(request: ReadRequest, schema: z.ZodType<T>): Promise<T> => {
    try {
      return schema.parse(await router.read(request, randomUUID()));
    } catch (error) {
      if (error instanceof ServiceUnavailable) throw new GraphQLError(error.message, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      if (error instanceof RequestRefused) throw new GraphQLError(error.message, { extensions: { code: 'INVALID_INPUT' } });
      throw error;
    }
  };

  const write = async <T>(command: Command, schema: z.ZodType<T>): Promise<Outcome<T>> => {
    const requestId = nextWriteId();
    log.debug({ requestId, command: command.type }, 'write sent');
    try {
      const outcome = await router.write(requestId, command);
      log.debug({ requestId, ok: outcome.ok }, 'write answered');
      if (!outcome.ok) return fail(...outcome.errors.map((e) => UserErrorWire.parse(e)));
      return { ok: true, value: schema.parse(outcome.value) };
    } catch (error) {
      if (error instanceof ServiceUnavailable) return fail(userError('SERVICE_UNAVAILABLE', error.message));
      if (error instanceof RequestRefused) return fail(userError('INVALID_INPUT', error.message));
      throw error;
    }
  };

  const checkContact = async (input: Parameters<Services['saveContactDetails']>[1]) => {
    const details = validateContactDetails(input);
    if (!details.ok) return details;
    const postcode = await postcodes.check(details.value.postcode);
    if (!postcode.valid) return fail(...postcode.errors.map((e): UserError => ({ ...e, field: ['postcode'] })));
    return details;
  };

  const customerByToken = async (token: string): Promise<Customer | null> => {
    if (token.length === 0 || token.length > TOKEN_CHARS_MAX) return null;
    const tokenHash = hashToken(token);
    const customer = await read({ type: 'customerByTokenHash', tokenHash }, CustomerWire.nullable());
    if (customer) customerIds.set(tokenHash, customer.id);
    return customer;
  };

  return {
    products: () => read({ type: 'products' }, z.array(ProductWire)),
    deliveryOptions: () => read({ type: 'deliveryOptions' }, z.array(DeliveryOptionWire)),
    // Requests outside the wire's limits are answered here, at once: the replicas would refuse them.
    quote: async (input) => {
      const checked = validateQuoteInput(input);
      return checked.ok ? read({ type: 'quote', input: checked.value }, QuoteOutcome) : checked;
    },
    customerByToken,
    knownCustomerId: (token) => (token.length > TOKEN_CHARS_MAX ? null : (customerIds.get(hashToken(token)) ?? null)),
    customerIdByToken: async (token) => customerIds.get(hashToken(token)) ?? (await customerByToken(token))?.id ?? null,
    orders: (customerId, query) => read({ type: 'orders', customerId, status: query.status, active: query.active, first: query.first, beforeId: query.beforeId }, OrderPage),
    order: (customerId, orderId) => read({ type: 'order', customerId, orderId }, OrderRecord.nullable()),

    saveContactDetails: async (viewerId, input, idempotencyKey) => {
      const badKey = checkKey(idempotencyKey, viewerId === null);
      if (badKey) return fail(badKey);
      const details = await checkContact(input);
      if (!details.ok) return details;
      if (viewerId) {
        const saved = await write({ type: 'updateCustomer', customerId: viewerId, details: details.value, idempotencyKey }, CustomerWire);
        return saved.ok ? { ok: true, value: { customer: saved.value, token: null } } : saved;
      }
      // The token is made here and only its hash travels: no replica ever holds it.
      const token = newToken(secret, idempotencyKey);
      const tokenHash = hashToken(token);
      const saved = await write({ type: 'createCustomer', tokenHash, details: details.value, idempotencyKey: idempotencyKey == null ? null : signUpKey(idempotencyKey) }, CustomerWire);
      if (!saved.ok) return saved;
      // The customer is this token's (a keyed retry's token hash is part of its request hash): known from now on, so
      // their requests count against their own budget, not their address's.
      customerIds.set(tokenHash, saved.value.id);
      return { ok: true, value: { customer: saved.value, token } };
    },
    placeOrder: async (customerId, input: PlaceOrderInput) => {
      const checked = validateOrderRequest(input);
      if (!checked.ok) return checked;
      const { idempotencyKey, lines, deliveryOptionId, tipMinorUnits } = checked.value;
      return write({ type: 'placeOrder', customerId, idempotencyKey, lines, deliveryOptionId, tipMinorUnits }, OrderRecord);
    },
    cancelOrder: async (customerId, orderId, idempotencyKey) => {
      const invalid = invalidId(orderId, 'An order id', ['orderId']) ?? checkKey(idempotencyKey, false);
      return invalid ? fail(invalid) : write({ type: 'cancelOrder', customerId, orderId, idempotencyKey }, OrderRecord);
    },
    staffByToken: async (token) => {
      if (!isStaffToken(token) || token.length > TOKEN_CHARS_MAX) return null;
      return read({ type: 'staffByTokenHash', tokenHash: hashToken(token) }, StaffWire.nullable());
    },
    moveOrder: async (staff, { orderId, to, reason, idempotencyKey }) => {
      const invalid = invalidId(orderId, 'An order id', ['orderId']) ?? checkKey(idempotencyKey, false);
      if (invalid) return fail(invalid);
      // A reason is for a rejection only: checked here as the primary would, so one too long for the wire is answered as such.
      const checked = to === 'REJECTED' ? checkRejectReason(reason) : null;
      if (checked && !checked.ok) return checked;
      return write({ type: 'moveOrder', orderId, to, by: staff.role, actorId: staff.id, reason: checked ? checked.value : null, idempotencyKey }, OrderRecord);
    },
    staffList: () => read({ type: 'staff' }, z.array(StaffWire)),
    addStaff: async (request) => {
      // Answered here as the primary would, for a name too long to go to it at all.
      const name = checkStaffName(request.name);
      return name.ok ? write({ type: 'addStaff', ...request, name: name.value }, StaffWire) : name;
    },
    removeStaff: (staffId) => write({ type: 'removeStaff', staffId }, StaffWire),
    ordersInStatus: (statuses, first) => read({ type: 'ordersInStatus', statuses, first }, z.array(OrderRecord)),
    cluster: () => views.cluster(),
    checkPostcode: (postcode) => postcodes.check(postcode),

    orderStatusChanged: (customerId) => feeds.orderStatusChanged(customerId),
    staffOrderChanged: (staffId) => feeds.staffOrderChanged(staffId),
    stockChanged: (atMostEveryMs) => feeds.stockChanged(atMostEveryMs),
    stockLevels: (everyMs) => feeds.stockLevels(everyMs),
    replicaStatusChanged: () => feeds.replicaStatusChanged(),
    clusterChanged: () => feeds.clusterChanged(),
  };
}
