// Wire formats between the gateway (view service, router) and the replicas,
// declared once and parsed on both sides.
import { z } from 'zod';
import { ACTOR_ROLES, ERROR_CODES, FULFILMENTS, ORDER_STATUSES, STAFF_ROLES } from './domain/types.ts';
import { ID_CHARS_MAX, IDEMPOTENCY_KEY_CHARS_MAX, ORDER_LINES_MAX } from './domain/limits.ts';
import { withTimeline } from './domain/lifecycle.ts';

export const CLUSTER_SECRET_HEADER = 'x-jh-cluster-secret';
export const REQUEST_ID_HEADER = 'x-request-id';

export const ROLES = ['PRIMARY', 'BACKUP', 'CATCHING_UP'] as const;
export type Role = (typeof ROLES)[number];

const name = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/);
export const ReplicaName = name;

export const View = z.object({
  epoch: z.number().int().nonnegative(),
  primary: name.nullable(),
  backups: z.array(name).max(64),
});
export type View = z.infer<typeof View>;

// ---- domain wire shapes -------------------------------------------------------

const money = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = z.string().max(1000);
/** A bearer token's SHA-256, all the cluster keeps of it (server/tokens.ts). */
const tokenHash = z.string().regex(/^[0-9a-f]{64}$/);
const id = z.string().min(1).max(ID_CHARS_MAX);

export const UserErrorWire = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  field: z.array(z.string()).optional(),
});

export const ProductWire = z.object({
  id,
  name: text,
  description: text,
  priceMinor: money,
  stock: z.number().int().min(0),
});
export const DeliveryOptionWire = z.object({ id, name: text, description: text, costMinor: money, fulfilment: z.enum(FULFILMENTS).optional() });
export const ContactDetailsWire = z.object({
  firstName: text,
  lastName: text,
  phone: text,
  postcode: text,
  address: text,
});
export const CustomerWire = ContactDetailsWire.extend({ id });
export const StaffWire = z.object({ id, name: text, role: z.enum(STAFF_ROLES) });
export const OrderLineInputWire = z.object({ productId: id, quantity: z.number().int() });
export const OrderLineWire = z.object({
  productId: id,
  productName: text,
  quantity: z.number().int(),
  unitPriceMinor: money,
  lineTotalMinor: money,
});
export const QuoteWire = z.object({
  lines: z.array(OrderLineWire),
  subtotalMinor: money,
  deliveryCostMinor: money,
  tipMinor: money,
  totalMinor: money,
});
export const OrderWire = z.object({
  id,
  customerId: id,
  idempotencyKey: z.string(),
  /** ACTIVE: an order from before the lifecycle, read as PLACED (lifecycle.ts, `withTimeline`). */
  status: z.enum([...ORDER_STATUSES, 'ACTIVE']),
  createdAt: z.string(),
  deliveryOption: DeliveryOptionWire,
  lines: z.array(OrderLineWire),
  subtotalMinor: money,
  deliveryCostMinor: money,
  tipMinor: money,
  totalMinor: money,
  timeline: z.array(z.object({ status: z.enum(ORDER_STATUSES), at: z.string(), by: z.enum(ACTOR_ROLES) })).optional(),
  rejectReason: text.optional(),
  deliverTo: z.object({ name: text, phone: text, address: text, postcode: text }).optional(),
});
/** An order as the replicas answer it, in its lifecycle form (an order from before the lifecycle read as PLACED). */
export const OrderRecord = OrderWire.transform(withTimeline);

export const QuoteInputWire = z.object({
  lines: z.array(OrderLineInputWire).max(ORDER_LINES_MAX),
  deliveryOptionId: id.nullish(),
  tipMinorUnits: z.number().int().nullish(),
});

// ---- commands (gateway -> primary) --------------------------------------------

const idempotencyKey = z.string().min(1).max(IDEMPOTENCY_KEY_CHARS_MAX);

export const Command = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('loadCatalog'),
    products: z.array(ProductWire).max(10_000),
    deliveryOptions: z.array(DeliveryOptionWire).max(100),
  }),
  z.object({
    type: z.literal('createCustomer'),
    tokenHash,
    details: ContactDetailsWire,
    idempotencyKey: idempotencyKey.nullish(),
  }),
  z.object({ type: z.literal('updateCustomer'), customerId: id, details: ContactDetailsWire, idempotencyKey: idempotencyKey.nullish() }),
  z.object({
    type: z.literal('placeOrder'),
    customerId: id,
    idempotencyKey,
    lines: z.array(OrderLineInputWire).max(ORDER_LINES_MAX),
    deliveryOptionId: id,
    tipMinorUnits: z.number().int().nullish(),
  }),
  z.object({ type: z.literal('cancelOrder'), customerId: id, orderId: id, idempotencyKey: idempotencyKey.nullish() }),
  // Staff, added and removed by an operator of the cluster (`just-hungry staff`, with the cluster secret).
  z.object({ type: z.literal('addStaff'), name: text, role: z.enum(STAFF_ROLES), tokenHash, idempotencyKey: idempotencyKey.nullish() }),
  z.object({ type: z.literal('removeStaff'), staffId: id, idempotencyKey: idempotencyKey.nullish() }),
  // A move of an order's status by its customer or by staff (lifecycle.ts). `actorId` is the customer's or staff member's id.
  z.object({
    type: z.literal('moveOrder'),
    orderId: id,
    to: z.enum(ORDER_STATUSES),
    by: z.enum(ACTOR_ROLES),
    actorId: id,
    reason: text.nullish(),
    idempotencyKey: idempotencyKey.nullish(),
  }),
]);
export type Command = z.infer<typeof Command>;

export const WriteRequest = z.object({
  epoch: z.number().int().nonnegative(),
  requestId: z.string().min(1).max(128),
  command: Command,
});
export type WriteRequest = z.infer<typeof WriteRequest>;

/**
 * Why a replica would not take a request. The router retries on all but
 * INTERNAL (a bug) and INVALID_REQUEST (the request itself is malformed, so
 * sending it again cannot help).
 */
export const REFUSALS = ['NOT_PRIMARY', 'STALE_EPOCH', 'NOT_READY', 'ROUND_FAILED', 'INTERNAL', 'INVALID_REQUEST'] as const;
export type Refusal = (typeof REFUSALS)[number];

export const Refused = z.object({ ok: z.literal(false), refusal: z.enum(REFUSALS), message: z.string() });

export const Outcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), errors: z.array(UserErrorWire) }),
]);

export const WriteResponse = z.union([
  z.object({ ok: z.literal(true), outcome: Outcome }),
  Refused,
]);
export type WriteResponse = z.infer<typeof WriteResponse>;

/** Most writes in one batch call. */
export const WRITE_BATCH_MAX = 256;

/**
 * Several writes in one call (the gateway sends what its clients asked for
 * meanwhile); answered in order. Only the envelope is checked here: the
 * replica parses each request with `WriteRequest` on its own, so one
 * malformed request is refused alone (INVALID_REQUEST), never the batch.
 */
export const WriteBatchRequest = z.object({ requests: z.array(z.unknown()).min(1).max(WRITE_BATCH_MAX) });
export type WriteBatchRequest = z.infer<typeof WriteBatchRequest>;
export const WriteBatchResponse = z.object({ answers: z.array(WriteResponse) });

// ---- staff (the `staff` command -> gateway, with the cluster secret) ------------

/** A member of staff to add: the token is made by the command and only its hash sent. */
// The name unbounded here (the body's cap bounds it): the gateway answers one too long with the user's error the primary gives.
export const StaffAddRequest = z.object({ name: z.string(), role: z.enum(STAFF_ROLES), tokenHash });
export type StaffAddRequest = z.infer<typeof StaffAddRequest>;
export const StaffRemoveRequest = z.object({ staffId: id });

// ---- reads (gateway -> primary) -----------------------------------------------

export const ReadRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('products') }),
  z.object({ type: z.literal('deliveryOptions') }),
  z.object({ type: z.literal('quote'), input: QuoteInputWire }),
  z.object({ type: z.literal('customerByTokenHash'), tokenHash: z.string().max(128) }),
  z.object({ type: z.literal('staffByTokenHash'), tokenHash: z.string().max(128) }),
  z.object({ type: z.literal('staff') }),
  z.object({ type: z.literal('ordersInStatus'), statuses: z.array(z.enum(ORDER_STATUSES)).min(1).max(ORDER_STATUSES.length), first: z.number().int().min(1).max(1000) }),
  z.object({
    type: z.literal('orders'),
    customerId: id,
    status: z.enum(ORDER_STATUSES).nullish(),
    active: z.boolean().nullish(),
    first: z.number().int().min(1).max(1000),
    beforeId: id.nullish(),
  }),
  z.object({ type: z.literal('order'), customerId: id, orderId: z.string().max(ID_CHARS_MAX) }),
  z.object({ type: z.literal('catalogLoaded') }),
]);
export type ReadRequest = z.infer<typeof ReadRequest>;

export const ReadResponse = z.union([z.object({ ok: z.literal(true), value: z.unknown() }), Refused]);

// ---- replication (primary -> backups) -------------------------------------------

export const Entry = z.object({
  seq: z.number().int().positive(),
  epoch: z.number().int().nonnegative(),
  requestId: z.string().max(128),
  /** The effect as JSON text: hashed and stored byte for byte as the primary made it. */
  effect: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Entry = z.infer<typeof Entry>;

export const Position = z.object({ seq: z.number().int().nonnegative(), hash: z.string() });
export type Position = z.infer<typeof Position>;

export const ReplicateRequest = z.object({
  epoch: z.number().int().positive(),
  primary: name,
  /** The position the entries follow; the backup must be exactly there. */
  after: Position,
  entries: z.array(Entry),
  /** The primary's commit point: every seq up to here is acknowledged and must never be given up. */
  committedSeq: z.number().int().nonnegative(),
});
export type ReplicateRequest = z.infer<typeof ReplicateRequest>;

export const ReplicateResponse = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), position: Position }),
  z.object({
    ok: z.literal(false),
    /**
     * STALE_EPOCH: the backup follows a newer view. GAP/DIVERGED: send from
     * `position` or a snapshot. BEHIND: a snapshot older than what the backup
     * knows is committed (the primary lacks acknowledged writes).
     */
    code: z.enum(['STALE_EPOCH', 'GAP', 'DIVERGED', 'BEHIND']),
    epoch: z.number().int().nonnegative(),
    position: Position,
    /** With BEHIND: the committed seq the backup knows of, which the primary lacks. */
    committedSeq: z.number().int().nonnegative().optional(),
  }),
]);
export type ReplicateResponse = z.infer<typeof ReplicateResponse>;

/** Rows in one snapshot chunk: a chunk is one line, so no string, body or buffer ever holds a whole store. */
export const SNAPSHOT_PAGE_ROWS = 1000;

/**
 * A snapshot travels as lines of JSON, one chunk each, read from one
 * consistent state: the head (its position and the catalogue), pages of
 * customers, orders and dedupe rows, and an end that counts them.
 */
export const SnapshotChunk = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('head'),
    position: Position,
    products: z.array(ProductWire),
    deliveryOptions: z.array(DeliveryOptionWire),
    // Few, so they come with the head (absent from a primary from before staff existed).
    staff: z.array(StaffWire.extend({ tokenHash: z.string() })).optional(),
  }),
  z.object({ kind: z.literal('customers'), rows: z.array(CustomerWire.extend({ tokenHash: z.string() })).max(SNAPSHOT_PAGE_ROWS) }),
  z.object({ kind: z.literal('orders'), rows: z.array(OrderRecord).max(SNAPSHOT_PAGE_ROWS) }),
  z.object({ kind: z.literal('dedupe'), rows: z.array(z.object({ requestId: z.string(), seq: z.number().int(), result: z.string() })).max(SNAPSHOT_PAGE_ROWS) }),
  z.object({
    kind: z.literal('idempotency'),
    rows: z.array(z.object({ seq: z.number().int(), scope: z.string(), key: z.string(), requestHash: z.string(), result: z.string() })).max(SNAPSHOT_PAGE_ROWS),
  }),
  z.object({
    kind: z.literal('end'),
    counts: z.object({ customers: z.number().int(), orders: z.number().int(), dedupe: z.number().int(), idempotency: z.number().int() }),
  }),
]);
export type SnapshotChunk = z.infer<typeof SnapshotChunk>;

/** Who asks a primary for its snapshot stream (`POST /snapshot-stream`, answered as lines). */
export const SnapshotStreamRequest = z.object({ name });

/** A primary asks a backup to take its snapshot: the backup pulls the stream from it, then answers. */
export const InstallSnapshotRequest = z.object({ epoch: z.number().int().positive(), primary: name });
export type InstallSnapshotRequest = z.infer<typeof InstallSnapshotRequest>;

// ---- catching up (joiner -> primary) ------------------------------------------

export const CatchUpRequest = z.object({ name, position: Position });
export type CatchUpRequest = z.infer<typeof CatchUpRequest>;
export const CatchUpResponse = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('entries'), after: Position, entries: z.array(Entry), primarySeq: z.number().int() }),
  /** The replica's position is not on the primary's log: pull the snapshot stream. */
  z.object({ kind: z.literal('snapshot'), primarySeq: z.number().int() }),
  z.object({ kind: z.literal('refused'), refusal: z.enum(REFUSALS), message: z.string() }),
]);
export type CatchUpResponse = z.infer<typeof CatchUpResponse>;

// ---- change feed (gateway -> primary) -----------------------------------------------

/** Long poll for committed entries after `after` (null: just tell me the head). */
export const FeedRequest = z.object({
  after: Position.nullable(),
  /** How long to wait for a commit when there is nothing new yet. */
  waitMs: z.number().int().min(0).max(60_000),
  max: z.number().int().min(1).max(10_000),
});
export type FeedRequest = z.infer<typeof FeedRequest>;

export const FeedResponse = z.discriminatedUnion('kind', [
  /** Committed entries following `after` exactly (none if the wait ran out). */
  z.object({ kind: z.literal('entries'), entries: z.array(Entry), head: Position }),
  /** `after` is no longer on this primary's log (trimmed away): resume from `head`; events between are lost. */
  z.object({ kind: z.literal('reset'), head: Position, message: z.string() }),
  z.object({ kind: z.literal('refused'), refusal: z.enum(REFUSALS), message: z.string() }),
]);
export type FeedResponse = z.infer<typeof FeedResponse>;

export const JoinRequest = z.object({ name, position: Position });
export type JoinRequest = z.infer<typeof JoinRequest>;
export const JoinResponse = z.union([z.object({ ok: z.literal(true), view: View }), Refused]);

// ---- view service (replica/primary -> gateway) ----------------------------------

export const Heartbeat = z.object({
  name,
  url: z.string().url().max(200),
  incarnation: z.string().max(64),
  /** The identity of the replica's store: a wiped disk comes back with another one. */
  storeId: z.string().max(64),
  /** The highest seq this replica knows the cluster committed (a restarted view service learns it from these). */
  committedSeq: z.number().int().nonnegative(),
  /** False while the replica's disk refuses writes: it must not be in the view. */
  canWrite: z.boolean(),
  role: z.enum(ROLES),
  /** The newest view this replica knows (a restarted view service learns from these). */
  view: View,
  position: Position,
  /** Replication rounds this replica has committed as primary since it started, and their total time. */
  rounds: z.object({ count: z.number().int().nonnegative(), seconds: z.number().nonnegative() }).optional(),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

/** The view service's answer to a heartbeat, and what it pushes when the view changes. */
export const ViewNotice = z.object({
  view: View,
  /** Where each member of the cluster listens. */
  urls: z.record(z.string(), z.string()),
  minReplicas: z.number().int().positive(),
  /** The highest seq the view service knows was committed. */
  committedSeq: z.number().int().nonnegative(),
  /** The store id on record for members of the view and holders: a replica named primary on another store (a wiped disk) must not lead. */
  stores: z.record(z.string(), z.string()),
});
export type ViewNotice = z.infer<typeof ViewNotice>;

export const ReportRequest = z.object({ epoch: z.number().int(), reporter: name, unreachable: name });
export const AddBackupRequest = z.object({ epoch: z.number().int(), primary: name, backup: name });
export const ViewResponse = z.union([z.object({ ok: z.literal(true), view: View }), Refused]);

export const StatusResponse = z.object({
  name,
  incarnation: z.string(),
  role: z.enum(ROLES),
  view: View,
  position: Position,
});
export type StatusResponse = z.infer<typeof StatusResponse>;
