// UserErrors from the API, sorted for display: each under the field it names,
// the rest at the top of the form.
import type { CombinedError } from '@urql/core';
import type { UserErrorFieldsFragment } from '../../gql/graphql.js';

export type UserError = UserErrorFieldsFragment;

export interface SortedErrors {
  /** Messages by field path joined with dots ('postcode', 'lines.0.quantity'). */
  byField: Record<string, string>;
  /** Errors that name no field (or a field this form does not show). */
  general: UserError[];
}

export function sortErrors(errors: readonly UserError[], fields: readonly string[] | null = null): SortedErrors {
  const byField: Record<string, string> = {};
  const general: UserError[] = [];
  for (const error of errors) {
    const path = error.field?.join('.') ?? '';
    const shown = path !== '' && (fields === null || fields.includes(path));
    if (!shown) general.push(error);
    else byField[path] = byField[path] ? `${byField[path]} ${error.message}` : error.message;
  }
  return { byField, general };
}

/** Errors the user can only wait out: the app offers to try again. */
export function isRetryable(error: UserError): boolean {
  return error.code === 'POSTCODE_SERVICE_UNAVAILABLE' || error.code === 'SERVICE_UNAVAILABLE' || error.code === 'RATE_LIMITED';
}

/** Whether a request failed with a GraphQL error of this code (FORBIDDEN, INVALID_INPUT): errors outside any payload. */
export function hasErrorCode(error: CombinedError | undefined, code: string): boolean {
  return error?.graphQLErrors.some((e) => e.extensions['code'] === code) ?? false;
}
