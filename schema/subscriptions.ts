import { GraphQLError } from 'graphql';
import { STAFF, builder } from './builder.ts';
import { ClusterRef, OPERATOR, ReplicaStatusEventRef } from './types/cluster.ts';
import { OrderRef } from './types/order.ts';
import { ProductRef } from './types/product.ts';
import { STOCK_PACE_MS } from './services.ts';

function checkPace(ms: number, field: string): void {
  if (ms < STOCK_PACE_MS.min || ms > STOCK_PACE_MS.max) {
    throw new GraphQLError(`${field} must be ${STOCK_PACE_MS.min} to ${STOCK_PACE_MS.max}.`, { extensions: { code: 'INVALID_INPUT', field: [field] } });
  }
}

const NO_TOKEN =
  'Subscribing to your orders needs your token (saveContactDetails answers it): over HTTP and SSE in the header ' +
  '"Authorization: Bearer <token>"; over WebSockets in the connection_init payload, as {"authorization": "Bearer <token>"}.';
const UNKNOWN_TOKEN = 'That token belongs to no customer: send the token saveContactDetails answered, or sign up again for a new one.';

builder.subscriptionFields((t) => ({
  orderStatusChanged: t.field({
    type: OrderRef,
    description: "The viewer's orders, when placed and at each move after (accepted, preparing ... delivered or collected; rejected or cancelled): an order tracker, live. From the committed change feed, so exactly once and in order across a failover.",
    subscribe: async (_root, _args, { services, viewer, viewerKind }) => {
      const customer = await viewer();
      if (!customer) throw new GraphQLError(viewerKind === 'anonymous' ? NO_TOKEN : UNKNOWN_TOKEN, { extensions: { code: 'NOT_AUTHENTICATED' } });
      return services.orderStatusChanged(customer.id);
    },
    resolve: (order) => order,
  }),
  staffOrderChanged: t.field({
    type: OrderRef,
    description:
      "Every order as it is placed and at each move, whoever's (staff only): the kitchen's and couriers' queues, live. From the committed change feed, so exactly once and in order across a failover.",
    authScopes: STAFF,
    subscribe: async (_root, _args, { services, staff }) => {
      const member = await staff();
      // The scopes above let only staff in.
      if (!member) throw new Error('staffOrderChanged opened without a member of staff');
      return services.staffOrderChanged(member.id);
    },
    resolve: (order) => order,
  }),
  stockChanged: t.field({
    type: ProductRef,
    description:
      'Every product whose stock changes, with the new stock: every change, in order. ' +
      `With atMostEveryMs (${STOCK_PACE_MS.min} to ${STOCK_PACE_MS.max}), at most one event per product in that time, carrying its latest stock: ` +
      'what a menu needs (the level now, not every step), and far cheaper for the service to send to many.',
    args: { atMostEveryMs: t.arg.int({ required: false }) },
    subscribe: (_root, { atMostEveryMs }, { services }) => {
      if (atMostEveryMs != null) checkPace(atMostEveryMs, 'atMostEveryMs');
      return services.stockChanged(atMostEveryMs ?? null);
    },
    resolve: (product) => product,
  }),
  stockLevels: t.field({
    type: [ProductRef],
    description:
      `The products whose stock changed, each at its latest stock, all in one event at most every everyMs (${STOCK_PACE_MS.min} to ${STOCK_PACE_MS.max}, default 1000). ` +
      'What a menu needs: one message an interval however busy the shop, the cheapest way for the service to keep many menus live.',
    args: { everyMs: t.arg.int({ required: false, defaultValue: 1000 }) },
    subscribe: (_root, { everyMs }, { services }) => {
      const pace = everyMs ?? 1000;
      checkPace(pace, 'everyMs');
      return services.stockLevels(pace);
    },
    resolve: (products) => products,
  }),
  replicaStatusChanged: t.field({
    type: ReplicaStatusEventRef,
    description: "Each change of a replica's role, as the view service makes it. Operators only: with any other token (or none) the subscription is refused with FORBIDDEN.",
    authScopes: OPERATOR,
    subscribe: (_root, _args, { services }) => services.replicaStatusChanged(),
    resolve: (event) => event,
  }),
  clusterChanged: t.field({
    type: ClusterRef,
    subscribe: (_root, _args, { services }) => services.clusterChanged(),
    resolve: (cluster) => cluster,
  }),
}));
