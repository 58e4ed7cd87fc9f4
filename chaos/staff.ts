// The staff of a chaos run: a kitchen, a courier and an operator (in turn, as
// many as --staff asks), each a loop with choices from its own seeded stream.
// Each turn a member of staff either reads the orders waiting at one of the
// statuses it works on (staffOrders) and moves some of them one step, or
// takes an order a customer has just placed and accepts or rejects it without
// looking (racing the customer's cancel and the other staff). The moves are
// the lifecycle's own (lifecycle.ts MOVES): accept, reject with a reason,
// prepare, ready, out for delivery, deliver, collect. Each carries an
// idempotency key and is sent again with the same key after an unknown
// outcome, as checkouts are. Everything is recorded for the checker.
import { type LifecycleStatus, MOVES } from '../replicas/domain/lifecycle.ts';
import type { Fulfilment, StaffRole } from '../replicas/domain/types.ts';
import { sleep } from '../replicas/sleep.ts';
import type { Op, Recorder } from './history.ts';
import { Random } from './random.ts';
import { Caller, judge, sendAgain } from './workload.ts';

export interface StaffMember {
  id: string;
  name: string;
  role: StaffRole;
  token: string;
}

export interface StaffConfig {
  gatewayUrl: string;
  seed: number;
  requestTimeoutMs: number;
  recorder: Recorder;
  members: StaffMember[];
  /** Staff are clients too: their numbers follow the customers'. */
  firstClient: number;
  /** Orders whose placement was acknowledged, newest last. */
  placed: () => readonly string[];
}

const MOVE_ATTEMPTS_MAX = 8;
/** Orders a member of staff asks for at once, and moves at most after one read. */
const QUEUE_PAGE = 20;
const MOVES_PER_READ_MAX = 4;
const THINK_MS = [5, 60] as const;
/** How often the kitchen (or an operator) takes a just-placed order without reading first, and from how many of the newest. */
const BLIND_SHARE = 0.2;
const BLIND_FROM_NEWEST = 10;
/** A PLACED order is rejected one time in five (more often than a real kitchen would, so that rejections and their stock returns are common). */
const REJECT_WEIGHT = 1;
const MOVE_WEIGHT = 4;
const REPLAY_SHARE = 0.1;
const REPEAT_SHARE = 0.05;
const REASONS = ['Out of laksa tonight', 'The kitchen is closing early', 'Cannot deliver to that address', 'Too busy to take it on time'];

const MOVE = `mutation Move($input: MoveOrderInput!) { moveOrder(input: $input) { order { id status } errors { code message } } }`;
const QUEUE = `query Queue($statuses: [OrderStatus!], $first: Int) { staffOrders(statuses: $statuses, first: $first) { id status deliveryOption { fulfilment } } }`;

interface QueuedOrder {
  id: string;
  status: LifecycleStatus;
  deliveryOption: { fulfilment: Fulfilment };
}

/** The statuses a role moves orders from: its queues. */
function queuesOf(role: StaffRole): LifecycleStatus[] {
  return [...new Set(MOVES.filter((m) => m.by.includes(role)).map((m) => m.from))];
}

/** The moves a role may make of an order in this status. */
function movesFrom(status: LifecycleStatus, fulfilment: Fulfilment, role: StaffRole): LifecycleStatus[] {
  return MOVES.filter((m) => m.from === status && m.by.includes(role) && (m.only === undefined || m.only === fulfilment)).map((m) => m.to);
}

export class StaffWorkload {
  private stopping = false;
  private loops: Promise<void>[] = [];
  private readonly caller: Caller;

  constructor(private readonly config: StaffConfig) {
    this.caller = new Caller(config.gatewayUrl, config.requestTimeoutMs, config.recorder, Random.derive(config.seed, 'staff timeouts'));
  }

  start(): void {
    this.loops = this.config.members.map((member, i) => this.run(this.config.firstClient + i, member));
  }

  /** No new moves; each member of staff finishes the one it is in (retries included). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  private async run(client: number, member: StaffMember): Promise<void> {
    const random = Random.derive(this.config.seed, `staff ${member.name}`);
    const queues = queuesOf(member.role);
    const keys = { next: 0 };
    while (!this.stopping) {
      const newest = this.config.placed().slice(-BLIND_FROM_NEWEST);
      if (queues.includes('PLACED') && newest.length > 0 && random.chance(BLIND_SHARE)) {
        const to = random.weighted([['ACCEPTED', MOVE_WEIGHT], ['REJECTED', REJECT_WEIGHT]] as const);
        await this.move(client, member, random, keys, random.pick(newest), to);
      } else {
        const orders = await this.readQueue(client, member, random.pick(queues));
        for (const order of random.shuffle(orders).slice(0, random.int(1, MOVES_PER_READ_MAX))) {
          if (this.stopping) break;
          const options = movesFrom(order.status, order.deliveryOption.fulfilment, member.role);
          if (options.length === 0) continue;
          const to = random.weighted(options.map((status) => [status, status === 'REJECTED' ? REJECT_WEIGHT : MOVE_WEIGHT] as const));
          await this.move(client, member, random, keys, order.id, to);
        }
      }
      await sleep(random.int(THINK_MS[0], THINK_MS[1]));
    }
  }

  private async readQueue(client: number, member: StaffMember, status: LifecycleStatus): Promise<QueuedOrder[]> {
    const call = await this.caller.timed(client, null, QUEUE, { statuses: [status], first: QUEUE_PAGE }, member.token);
    const orders = call.answer.kind === 'data' ? (call.answer.data.staffOrders as QueuedOrder[] | undefined) : undefined;
    const unknown = call.answer.kind === 'unknown' ? call.answer : null;
    this.config.recorder.op({
      ...call.timing,
      type: 'staffOrders',
      staffId: member.id,
      role: member.role,
      statuses: [status],
      outcome: orders ? 'ok' : 'unknown',
      code: unknown?.code,
      message: unknown?.message,
      result: orders ? { orders: orders.map(({ id, status: at }) => ({ id, status: at })) } : undefined,
    });
    return orders ?? [];
  }

  /** One move, sent again with its key until it is answered; sometimes sent once more after its answer (a double click, or a second member of staff making the same move). */
  private async move(client: number, member: StaffMember, random: Random, keys: { next: number }, orderId: string, to: LifecycleStatus): Promise<void> {
    const reason = to === 'REJECTED' ? random.pick(REASONS) : null;
    const key = `${member.name}-${++keys.next}`;
    for (let attempt = 1; attempt <= MOVE_ATTEMPTS_MAX; attempt++) {
      const op = await this.moveOnce(client, member, { orderId, to, reason, key }, attempt, false);
      if (op.outcome === 'ok') {
        // The same key again must get the first answer; the same move under a new key is a repeat: a success that changes nothing, or refused if the order has moved on.
        if (random.chance(REPLAY_SHARE)) await this.moveOnce(client, member, { orderId, to, reason, key }, attempt + 1, true);
        else if (random.chance(REPEAT_SHARE)) await this.moveOnce(client, member, { orderId, to, reason, key: `${member.name}-${++keys.next}` }, 1, false);
        return;
      }
      if (!(await sendAgain(op, attempt, this.stopping))) return;
    }
  }

  private async moveOnce(client: number, member: StaffMember, move: { orderId: string; to: LifecycleStatus; reason: string | null; key: string }, attempt: number, replay: boolean): Promise<Op> {
    const input = { orderId: move.orderId, to: move.to, idempotencyKey: move.key, ...(move.reason === null ? {} : { reason: move.reason }) };
    const call = await this.caller.timed(client, null, MOVE, { input }, member.token);
    const { outcome, code, message, payload } = judge(call.answer, 'moveOrder');
    const order = payload?.order as { id: string; status: LifecycleStatus } | undefined;
    const op: Op = {
      ...call.timing,
      type: 'moveOrder',
      staffId: member.id,
      role: member.role,
      ...move,
      attempt,
      replay,
      outcome: outcome === 'ok' && !order ? 'unknown' : outcome,
      code,
      message,
      result: order ? { id: order.id, status: order.status } : undefined,
    };
    this.config.recorder.op(op);
    return op;
  }
}
