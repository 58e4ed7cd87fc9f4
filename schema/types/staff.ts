// Who a staff token belongs to: what a staff screen (the kitchen board, the
// courier view, the cluster page) asks first, to know whom it signed in and
// which of its actions to offer.
import { STAFF_ROLES, type Staff } from '../../replicas/domain/types.ts';
import { builder } from '../builder.ts';

export const StaffRoleRef = builder.enumType('StaffRole', {
  description: 'What a member of staff may do: KITCHEN moves orders up to READY (and rejects them), COURIER takes ready deliveries out and delivers them, OPERATOR does both and sees the cluster\'s internals.',
  values: STAFF_ROLES,
});

const StaffMemberRef = builder.objectRef<Staff>('StaffMember').implement({
  description: 'A member of staff (just-hungry staff add).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: StaffRoleRef, resolve: (s) => s.role }),
  }),
});

builder.queryField('staffViewer', (t) =>
  t.field({
    type: StaffMemberRef,
    nullable: true,
    description: 'The member of staff whose token is sent; null for any other request (a customer\'s token, none, or a staff token that was removed).',
    resolve: (_root, _args, { staff }) => staff(),
  }),
);
