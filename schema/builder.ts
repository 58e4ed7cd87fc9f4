// The one schema builder, with the typed context every resolver gets.
import SchemaBuilder from '@pothos/core';
import type { Customer, UserError } from '../replicas/domain/types.ts';
import type { Services } from './services.ts';

export interface Context {
  services: Services;
  /** Who counts against the rate limits: `customer:<id>` for a token the gateway knows, else `address:<ip>`. */
  client: string;
  /** Who is asking, for sharing work between identical requests: `token:<hash>` or `anonymous`. */
  viewerKey: string;
  /** The address the request came from (for caps per address). */
  address: string;
  /** The customer behind the bearer token, or null; looked up once per request. */
  viewer: () => Promise<Customer | null>;
  /** Just the viewer's id, which mutations need: usually known without asking the cluster. */
  viewerId: () => Promise<string | null>;
  /** Counts one mutation against this client's rate limit: null if allowed, else the RATE_LIMITED error. */
  mutationAllowed: () => Promise<UserError | null>;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: { ID: { Input: string; Output: string } };
}>({ defaultFieldNullability: false });

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
