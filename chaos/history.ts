// What a chaos run records: every client operation with its start, end and
// outcome; every fault; what every subscriber saw; the views the gateway
// published; and the final state read back once the cluster has settled.
// The checker (checker.ts) judges a History and nothing else, so it can be
// fed hand-made histories in tests.
import type { ActorRole, ContactDetails, Fulfilment, OrderStatus, StaffRole } from '../replicas/domain/types.ts';

/**
 * ok: the service answered with a result. fail: it answered with a UserError
 * (`code`). unknown: no answer the client can trust (a timeout, a dropped
 * connection, a GraphQL error): the operation may or may not have happened.
 */
export type OpOutcome = 'ok' | 'fail' | 'unknown';

export interface Line {
  productId: string;
  quantity: number;
}

/** An order's status as a client saw it: the lifecycle's, or ACTIVE in a history from before the lifecycle (read as PLACED). */
export type StatusSeen = OrderStatus | 'ACTIVE';

/** One step of an order's timeline: the status it reached, when (the primary's clock), and who moved it there. */
export interface StepSeen {
  status: OrderStatus;
  at: string;
  by: ActorRole;
}

export interface OrderSeen {
  id: string;
  status: StatusSeen;
  tipMinor: number;
  deliveryOptionId: string;
  lines: Line[];
  /** Every move, oldest first: read at the end (absent from reads during the run and from histories before the lifecycle). */
  timeline?: StepSeen[];
}


interface OpBase {
  id: number;
  client: number;
  /** The customer the client acted as (null before it has one). */
  customerId: string | null;
  /** Milliseconds since the run started. */
  start: number;
  end: number;
  outcome: OpOutcome;
  /** The UserError code (fail) or what went wrong (unknown: TIMEOUT, NETWORK, HTTP_502, a GraphQL error code). */
  code?: string;
  message?: string;
}

export type Op =
  | (OpBase & { type: 'createCustomer'; details: ContactDetails; result?: { customerId: string } })
  | (OpBase & { type: 'updateDetails'; details: ContactDetails })
  | (OpBase & { type: 'quote'; lines: Line[]; deliveryOptionId: string; tipMinor: number; result?: QuoteSeen })
  | (OpBase & {
      type: 'placeOrder';
      key: string;
      /** Unique per customer and key: how an order found at the end is matched to its key (the API does not show keys). */
      tipMinor: number;
      lines: Line[];
      deliveryOptionId: string;
      attempt: number;
      /** A deliberate second send of a key that was already answered. */
      replay: boolean;
      result?: OrderSeen;
    })
  | (OpBase & {
      /** An answered checkout's key sent again with another cart: must be refused (IDEMPOTENCY_KEY_REUSED) and place nothing. */
      type: 'reuseKey';
      key: string;
      /** Unique too (the key's own tip plus REUSE_TIP_OFFSET): an order found with it was placed by the reuse. */
      tipMinor: number;
      lines: Line[];
      deliveryOptionId: string;
      result?: OrderSeen;
    })
  | (OpBase & { type: 'cancelOrder'; orderId: string; attempt: number; result?: { id: string; status: StatusSeen } })
  | (OpBase & {
      /** A member of staff moving an order one step (customerId is null: staff are nobody's customer). */
      type: 'moveOrder';
      staffId: string;
      role: StaffRole;
      orderId: string;
      to: OrderStatus;
      reason: string | null;
      /** The idempotency key; a retry after an unknown outcome sends the same one. */
      key: string;
      attempt: number;
      /** A deliberate second send of a key that was already answered. */
      replay: boolean;
      result?: { id: string; status: OrderStatus };
    })
  | (OpBase & { type: 'staffOrders'; staffId: string; role: StaffRole; statuses: OrderStatus[]; result?: { orders: { id: string; status: OrderStatus }[] } })
  | (OpBase & { type: 'readOrders'; result?: { orders: OrderSeen[]; totalCount: number; hasNextPage: boolean } })
  | (OpBase & { type: 'readProducts'; result?: { products: { id: string; stock: number }[] } });

export type OpType = Op['type'];

export interface QuoteSeen {
  lines: { productId: string; quantity: number; lineTotalMinor: number }[];
  subtotalMinor: number;
  deliveryCostMinor: number;
  tipMinor: number;
  totalMinor: number;
}

export interface FaultRecord {
  id: number;
  kind: string;
  /** e.g. "SIGKILL primary 2 after it sent /replicate to 3". */
  description: string;
  targets: string[];
  start: number;
  /** When it was healed (the process back, the link passing again); null if never. */
  end: number | null;
}

export interface ViewRecord {
  at: number;
  epoch: number;
  primary: string | null;
  backups: string[];
  writable: boolean;
}

export type SubscriberEvent =
  | { at: number; orderId: string; status: StatusSeen }
  | { at: number; productId: string; stock: number };

export interface SubscriberRecord {
  id: number;
  feed: 'orderStatusChanged' | 'staffOrderChanged' | 'stockChanged';
  /** The customer whose orders it follows (orderStatusChanged). */
  customerId: string | null;
  /** The gateway had handed on every committed change up to this seq once the subscription was open: later ones must all arrive. */
  fromSeq: number;
  readyAt: number;
  events: SubscriberEvent[];
  errors: string[];
  /** It was closed by the server or the network before the harness closed it. */
  endedEarly: boolean;
}

/** A committed order change from the replicas' logs: a placement, or a move (a cancellation is one) with the status it reached. */
export interface CommittedChange {
  seq: number;
  type: 'orderPlaced' | 'orderCancelled' | 'orderMoved';
  orderId: string;
  customerId: string;
  status: StatusSeen;
  tipMinor: number;
  lines: Line[];
  stock: { productId: string; stock: number }[];
}

export interface FinalCustomer {
  customerId: string;
  client: number;
  details: ContactDetails | null;
  orders: OrderSeen[];
  totalCount: number;
  pages: number;
}

export interface FinalState {
  /** Each customer the clients know a token for, read back through GraphQL (every page). */
  customers: FinalCustomer[];
  products: { id: string; stock: number }[];
  /** Every replica's committed position and state hash after the cluster settled. */
  replicas: { name: string; seq: number; stateHash: string }[];
  /** The committed log merged from every replica's file; `fromSeq` > 1 when no replica kept the beginning. */
  log: { fromSeq: number; headSeq: number; changes: CommittedChange[] } | null;
  /** Seqs where two replicas' logs hold different entries. */
  logConflicts: { seq: number; hashes: Record<string, string> }[];
  /** Set when the cluster did not settle (no writable full view, or no convergence) in time. */
  settleProblem: string | null;
}

export interface ProcessCrash {
  at: number;
  process: string;
  how: string;
  lastLines: string[];
}

export interface History {
  seed: number;
  startedAt: string;
  options: Record<string, unknown>;
  catalog: {
    products: { id: string; priceMinor: number; stock: number }[];
    /** `fulfilment` as the catalogue gave it to the cluster (absent: lifecycle.ts's `fulfilmentOf` decides, as the service does). */
    deliveryOptions: { id: string; costMinor: number; fulfilment?: Fulfilment }[];
  };
  ops: Op[];
  faults: FaultRecord[];
  views: ViewRecord[];
  subscribers: SubscriberRecord[];
  crashes: ProcessCrash[];
  final: FinalState | null;
  /** Why the run could not finish as planned (the gateway died, the final state could not be read). */
  problems: string[];
}

/** Collects a run's history as it happens; times are relative to the run's start. */
export class Recorder {
  private readonly startedMs = performance.now();
  private nextOp = 1;
  private nextFault = 1;
  readonly ops: Op[] = [];
  readonly faults: FaultRecord[] = [];
  readonly views: ViewRecord[] = [];
  readonly crashes: ProcessCrash[] = [];

  now(): number {
    return Math.round(performance.now() - this.startedMs);
  }

  opId(): number {
    return this.nextOp++;
  }

  op(op: Op): void {
    this.ops.push(op);
  }

  fault(kind: string, description: string, targets: string[]): FaultRecord {
    const record: FaultRecord = { id: this.nextFault++, kind, description, targets, start: this.now(), end: null };
    this.faults.push(record);
    return record;
  }

  healed(fault: FaultRecord): void {
    fault.end ??= this.now();
  }

  view(view: Omit<ViewRecord, 'at'>): void {
    const last = this.views.at(-1);
    if (last && last.epoch === view.epoch && last.writable === view.writable && last.primary === view.primary) return;
    this.views.push({ at: this.now(), ...view });
  }
}
