import type { PostcodeCheckResult } from '../services.ts';
import { builder } from '../builder.ts';
import { UserErrorRef } from './errors.ts';

export const PostcodeCheckRef = builder.objectRef<PostcodeCheckResult>('PostcodeCheck').implement({
  description: 'Whether a postcode is a real UK postcode (normalised, e.g. "SW1A 1AA").',
  fields: (t) => ({
    postcode: t.exposeString('postcode'),
    valid: t.exposeBoolean('valid'),
    errors: t.field({ type: [UserErrorRef], resolve: (c) => c.errors }),
  }),
});
