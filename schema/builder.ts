// The one schema builder, with the typed context every resolver gets.
import SchemaBuilder from '@pothos/core';
import type { Customer } from '../replicas/domain/types.ts';
import type { Services } from '../server/services.ts';

export interface Context {
  services: Services;
  /** The customer behind the bearer token, or null; looked up once per request. */
  viewer: () => Promise<Customer | null>;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: { ID: { Input: string; Output: string } };
}>({ defaultFieldNullability: false });

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
