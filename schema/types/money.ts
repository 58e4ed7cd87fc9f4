import { builder } from '../builder.ts';

const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });

/** Money travels as integer pence; this type shows it. */
export const MoneyRef = builder.objectRef<number>('Money').implement({
  description: 'An amount of money in integer minor units (pence).',
  fields: (t) => ({
    minorUnits: t.int({ resolve: (pence) => pence }),
    currency: t.string({ resolve: () => 'GBP' }),
    formatted: t.string({ description: 'For display, e.g. "£12.50".', resolve: (pence) => GBP.format(pence / 100) }),
  }),
});
