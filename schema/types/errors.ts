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
