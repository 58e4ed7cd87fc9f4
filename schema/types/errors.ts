import { GraphQLError } from 'graphql';
import { ERROR_CODES, type UserError } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';

export const ErrorCodeRef = builder.enumType('ErrorCode', { values: ERROR_CODES });

export const UserErrorRef = builder.objectRef<UserError>('UserError').implement({
  description: 'An expected failure the user can act on: a code, a message, and the input field it is about.',
  fields: (t) => ({
    code: t.field({ type: ErrorCodeRef, resolve: (e) => e.code }),
    message: t.exposeString('message'),
    field: t.stringList({ nullable: true, resolve: (e) => e.field ?? null }),
  }),
});

/** Refuses a query argument with a GraphQL error naming it (a query has no payload to carry UserErrors). */
export function refuseArgument(error: UserError | null): void {
  if (error) throw new GraphQLError(error.message, { extensions: { code: error.code, field: error.field } });
}
