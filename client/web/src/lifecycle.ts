// An order's life as the web app shows it: the customer's tracker (the steps
// reached, with their times, and those still ahead for the order's way of
// reaching them), the staff screens' columns and the moves each screen offers.
// The gateway decides every move (INVALID_TRANSITION otherwise); these tables
// only say which buttons to show, mirroring the API's description of moveOrder
// (a client imports nothing of the replicas, where the rules live).
import type { Fulfilment, OrderStatus, StaffRole } from '../../gql/graphql.js';

export type { Fulfilment, OrderStatus, StaffRole };

/** What every screen calls a status. */
export const STATUS_WORDS: Record<OrderStatus, string> = {
  PLACED: 'Placed',
  ACCEPTED: 'Accepted',
  PREPARING: 'Being prepared',
  READY: 'Ready',
  OUT_FOR_DELIVERY: 'Out for delivery',
  DELIVERED: 'Delivered',
  COLLECTED: 'Collected',
  REJECTED: 'Rejected',
  CANCELLED: 'Cancelled',
};

/** The statuses an order goes through, in order, when nothing stops it. */
export const PATHS: Record<Fulfilment, readonly OrderStatus[]> = {
  DELIVERY: ['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'OUT_FOR_DELIVERY', 'DELIVERED'],
  COLLECTION: ['PLACED', 'ACCEPTED', 'PREPARING', 'READY', 'COLLECTED'],
};

/** Where an order stops short of its path: its stock goes back and its money is refunded. */
export const STOPPED: ReadonlySet<OrderStatus> = new Set(['REJECTED', 'CANCELLED']);

/** What the tracker and the staff screens need of an order. */
export interface Tracked {
  id: string;
  status: OrderStatus;
  timeline: readonly { status: OrderStatus; at: string }[];
  deliveryOption: { fulfilment: Fulfilment };
}

export interface TrackerStep {
  status: OrderStatus;
  /** When the order reached this step; null for a step still ahead. */
  at: string | null;
  state: 'done' | 'current' | 'ahead';
}

/** The steps the order has reached (the last one current), then those still ahead on its path; none ahead once it stopped. */
export function trackerSteps(order: Tracked): TrackerStep[] {
  const reached: TrackerStep[] = order.timeline.map((entry, i) => ({ status: entry.status, at: entry.at, state: i === order.timeline.length - 1 ? 'current' : 'done' }));
  if (STOPPED.has(order.status)) return reached;
  const path = PATHS[order.deliveryOption.fulfilment];
  const here = path.indexOf(order.status);
  const ahead = here < 0 ? [] : path.slice(here + 1);
  return [...reached, ...ahead.map((status): TrackerStep => ({ status, at: null, state: 'ahead' }))];
}

/** The sentence the customer's tracker says (and announces) for the order as it is now. */
export function statusSentence(order: Tracked & { rejectReason?: string | null | undefined; total: { formatted: string } }): string {
  const refunded = `Your food will not be made, and the ${order.total.formatted} is refunded in full.`;
  switch (order.status) {
    case 'PLACED':
      return 'Your order is placed: the kitchen will accept it shortly.';
    case 'ACCEPTED':
      return 'The kitchen has accepted your order.';
    case 'PREPARING':
      return 'Your order is being prepared.';
    case 'READY':
      return order.deliveryOption.fulfilment === 'COLLECTION' ? 'Your order is ready to collect.' : 'Your order is ready and waiting for a rider.';
    case 'OUT_FOR_DELIVERY':
      return 'Your order is on its way.';
    case 'DELIVERED':
      return 'Your order was delivered. Enjoy your meal!';
    case 'COLLECTED':
      return 'Your order was collected. Enjoy your meal!';
    case 'REJECTED': {
      // The kitchen's words, without a full stop of their own before ours.
      const why = order.rejectReason ? `: ${order.rejectReason.replace(/[.!]+$/, '')}` : '';
      return `The kitchen could not take your order${why}. ${refunded}`;
    }
    case 'CANCELLED':
      return `Your order is cancelled. ${refunded}`;
  }
}

/** The two staff screens that move orders. */
export type Screen = 'kitchen' | 'courier';

/** Who may open each screen: an operator may do what the kitchen and couriers do. */
export const SCREEN_ROLES: Record<Screen, readonly StaffRole[]> = {
  kitchen: ['KITCHEN', 'OPERATOR'],
  courier: ['COURIER', 'OPERATOR'],
};

export interface Move {
  from: OrderStatus;
  to: OrderStatus;
  /** The button's words. */
  label: string;
  screen: Screen;
  /** Only for orders fulfilled this way (any, if absent). */
  only?: Fulfilment;
}

/** Every move staff make, on the screen where they make it (the customer's cancel is on the order's page). */
export const MOVES: readonly Move[] = [
  { from: 'PLACED', to: 'ACCEPTED', label: 'Accept', screen: 'kitchen' },
  { from: 'PLACED', to: 'REJECTED', label: 'Reject', screen: 'kitchen' },
  { from: 'ACCEPTED', to: 'PREPARING', label: 'Start preparing', screen: 'kitchen' },
  { from: 'PREPARING', to: 'READY', label: 'Ready', screen: 'kitchen' },
  { from: 'READY', to: 'COLLECTED', label: 'Handed over', screen: 'kitchen', only: 'COLLECTION' },
  { from: 'READY', to: 'OUT_FOR_DELIVERY', label: 'Take out', screen: 'courier', only: 'DELIVERY' },
  { from: 'OUT_FOR_DELIVERY', to: 'DELIVERED', label: 'Delivered', screen: 'courier', only: 'DELIVERY' },
];

function mayUse(screen: Screen, role: StaffRole): boolean {
  return SCREEN_ROLES[screen].includes(role);
}

/** The moves offered on `screen` to someone in `role` for this order now. */
export function movesFor(screen: Screen, role: StaffRole, order: Pick<Tracked, 'status' | 'deliveryOption'>): Move[] {
  if (!mayUse(screen, role)) return [];
  return MOVES.filter((m) => m.screen === screen && m.from === order.status && (m.only === undefined || m.only === order.deliveryOption.fulfilment));
}

export interface Column {
  id: string;
  title: string;
  /** Whether an order belongs here. */
  holds(order: Pick<Tracked, 'status' | 'deliveryOption'>): boolean;
}

const inStatus =
  (status: OrderStatus, only?: Fulfilment) =>
  (order: Pick<Tracked, 'status' | 'deliveryOption'>): boolean =>
    order.status === status && (only === undefined || order.deliveryOption.fulfilment === only);

/** The kitchen board, left to right; an order in any other status has left the board. */
export const KITCHEN_COLUMNS: readonly Column[] = [
  { id: 'new', title: 'New', holds: inStatus('PLACED') },
  { id: 'accepted', title: 'Accepted', holds: inStatus('ACCEPTED') },
  { id: 'preparing', title: 'Preparing', holds: inStatus('PREPARING') },
  { id: 'ready', title: 'Ready', holds: inStatus('READY') },
];

/** The courier view, top to bottom: deliveries to take out, then those on their way. */
export const COURIER_COLUMNS: readonly Column[] = [
  { id: 'ready', title: 'Ready to take out', holds: inStatus('READY', 'DELIVERY') },
  { id: 'out', title: 'Out for delivery', holds: inStatus('OUT_FOR_DELIVERY', 'DELIVERY') },
];

/** The statuses a screen asks the API for. */
export const SCREEN_STATUSES: Record<Screen, readonly OrderStatus[]> = {
  kitchen: ['PLACED', 'ACCEPTED', 'PREPARING', 'READY'],
  courier: ['READY', 'OUT_FOR_DELIVERY'],
};

/** Orders sorted into columns, each oldest first (the one waiting longest at the top). */
export function intoColumns<T extends Pick<Tracked, 'id' | 'status' | 'deliveryOption'>>(orders: readonly T[], columns: readonly Column[]): { column: Column; orders: T[] }[] {
  return columns.map((column) => ({ column, orders: orders.filter((o) => column.holds(o)).sort(oldestFirst) }));
}

/** Ids grow with every order: the smaller, the longer it has waited. */
export const oldestFirst = (a: { id: string }, b: { id: string }): number => Number(a.id) - Number(b.id);

/** The later of two versions of one order: its timeline only ever grows, one entry a move. */
export function newer<T extends Pick<Tracked, 'timeline'>>(a: T, b: T): T {
  return b.timeline.length > a.timeline.length ? b : a;
}

/**
 * What a staff screen shows: the orders it fetched, each replaced by any
 * newer version seen since (a live event, a move's answer), plus orders seen
 * that the fetch did not have; only those in the screen's statuses.
 */
export function screenOrders<T extends Pick<Tracked, 'id' | 'status' | 'timeline'>>(fetched: readonly T[], seen: ReadonlyMap<string, T>, statuses: readonly OrderStatus[]): T[] {
  const byId = new Map(fetched.map((order) => [order.id, order]));
  for (const order of seen.values()) {
    const known = byId.get(order.id);
    byId.set(order.id, known ? newer(known, order) : order);
  }
  return [...byId.values()].filter((order) => statuses.includes(order.status)).sort(oldestFirst);
}

/**
 * Whether a version seen is still worth keeping beside `fetched`: when it is
 * newer than the fetched one (the screen would go back in time without it),
 * or when it is on the screen and the fetch did not have it. Everything else
 * is dropped, so a screen open all day keeps no more than it shows.
 */
export function worthKeeping<T extends Pick<Tracked, 'id' | 'status' | 'timeline'>>(order: T, fetched: ReadonlyMap<string, T>, statuses: readonly OrderStatus[]): boolean {
  const known = fetched.get(order.id);
  return known ? order.timeline.length > known.timeline.length : statuses.includes(order.status);
}

const MINUTE_MS = 60_000;

/** Whole minutes since `since` (an ISO time), never below 0 (the browser's clock may be a little behind the gateway's). */
export function minutesWaited(since: string, nowMs: number): number {
  const start = Date.parse(since);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((nowMs - start) / MINUTE_MS));
}

export function waitedWords(minutes: number): string {
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

/** A time of day as the staff and the customer read it (15:04). */
export function timeOfDay(at: string): string {
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? at : date.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
}
