// Importing each module registers its types on the builder.
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/money.ts';
import './types/errors.ts';
import './types/product.ts';
import './types/order.ts';
import './types/customer.ts';
import './types/cluster.ts';
import './types/postcode.ts';
import './types/staff.ts';
import './queries.ts';
import './mutations/save-contact-details.ts';
import './mutations/place-order.ts';
import './mutations/cancel-order.ts';
import './mutations/move-order.ts';
import './subscriptions.ts';

let schema: GraphQLSchema | null = null;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema();
  return schema;
}
