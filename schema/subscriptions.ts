import { GraphQLError } from 'graphql';
import { builder } from './builder.ts';
import { ClusterRef, ReplicaStatusEventRef } from './types/cluster.ts';
import { OrderRef } from './types/order.ts';
import { ProductRef } from './types/product.ts';

builder.subscriptionFields((t) => ({
  orderStatusChanged: t.field({
    type: OrderRef,
    description: "The viewer's orders, when placed and when cancelled.",
    subscribe: async (_root, _args, { services, viewer }) => {
      const customer = await viewer();
      if (!customer) throw new GraphQLError('Subscribing to your orders needs a bearer token.', { extensions: { code: 'NOT_AUTHENTICATED' } });
      return services.orderStatusChanged(customer.id);
    },
    resolve: (order) => order,
  }),
  stockChanged: t.field({
    type: ProductRef,
    description: 'Every product whose stock changes, with the new stock.',
    subscribe: (_root, _args, { services }) => services.stockChanged(),
    resolve: (product) => product,
  }),
  replicaStatusChanged: t.field({
    type: ReplicaStatusEventRef,
    subscribe: (_root, _args, { services }) => services.replicaStatusChanged(),
    resolve: (event) => event,
  }),
  clusterChanged: t.field({
    type: ClusterRef,
    subscribe: (_root, _args, { services }) => services.clusterChanged(),
    resolve: (cluster) => cluster,
  }),
}));
