// The one schema builder, with the typed context every resolver gets, and
// who may use what declared on the schema with Pothos's scope-auth: a field
// with `authScopes` runs only for a request that has one of them.
import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { COURIER, KITCHEN } from '../replicas/domain/lifecycle.ts';
import type { ActorRole, Customer, Staff, UserError } from '../replicas/domain/types.ts';
import type { Services } from './services.ts';

export interface Context {
  services: Services;
  /** Who counts against the rate limits: `customer:<id>` for a token the gateway knows, else `address:<ip>`. */
  client: string;
  /** Who is asking, for sharing work between identical requests: `token:<hash>`, `staff:<hash>` for a staff token, or `anonymous`. */
  viewerKey: string;
  /** What kind of token came with the request (known by its form, before any lookup). */
  viewerKind: 'anonymous' | 'customer' | 'staff';
  /** The address the request came from (for caps per address). */
  address: string;
  /** The customer behind the bearer token, or null; looked up once per request. */
  viewer: () => Promise<Customer | null>;
  /** Just the viewer's id, which mutations need: usually known without asking the cluster. */
  viewerId: () => Promise<string | null>;
  /** The member of staff behind a staff token (`jhs_…`), or null; looked up once per request. */
  staff: () => Promise<Staff | null>;
  /** Counts one mutation against this client's rate limit: null if allowed, else the RATE_LIMITED error. */
  mutationAllowed: () => Promise<UserError | null>;
}

/** The scopes a request may have: a customer's, or a member of staff's (an operator has the kitchen's and couriers' too). */
export interface Scopes {
  customer: boolean;
  kitchen: boolean;
  courier: boolean;
  operator: boolean;
}

/** Whether a member of staff (if any) is in one of the roles that make a kind of move (lifecycle.ts). */
const hasRole = (roles: readonly ActorRole[], member: Staff | null): boolean => !!member && roles.includes(member.role);

/** The scopes of any member of staff who moves orders: the kitchen's or a courier's (an operator has both). */
export const STAFF = { kitchen: true, courier: true } as const;

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: Scopes;
  DefaultFieldNullability: false;
  Scalars: { ID: { Input: string; Output: string } };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin],
  scopeAuth: {
    authorizeOnSubscribe: true,
    // Each scope is looked up only when a field asks for it.
    authScopes: (context) => ({
      customer: async () => (await context.viewerId()) !== null,
      kitchen: async () => hasRole(KITCHEN, await context.staff()),
      courier: async () => hasRole(COURIER, await context.staff()),
      operator: async () => (await context.staff())?.role === 'OPERATOR',
    }),
    unauthorizedError: (_parent, _context, info) =>
      new GraphQLError(
        `${info.parentType.name}.${info.fieldName} is for staff whose role allows it: send their token (just-hungry staff add) as "Authorization: Bearer <token>".`,
        { extensions: { code: 'FORBIDDEN' } },
      ),
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
