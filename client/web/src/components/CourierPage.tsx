// /courier: deliveries ready to take out (who, where and a number to call),
// then those on their way, to mark delivered. Collection orders never come
// here: the kitchen hands them over.
import { COURIER_COLUMNS, SCREEN_ROLES } from '../lifecycle.js';
import { StaffBoard } from './StaffBoard.js';
import { StaffScreen } from './StaffScreen.js';

export function CourierPage() {
  return (
    <StaffScreen
      id="courier"
      title="Deliveries"
      roles={SCREEN_ROLES.courier}
      forWhom="The deliveries are for couriers and operators."
      purpose="Sign in with a courier or operator token to see the deliveries to take out."
    >
      {(member) => <StaffBoard screen="courier" member={member} columns={COURIER_COLUMNS} empty="No deliveries right now. Orders appear here when the kitchen has them ready." />}
    </StaffScreen>
  );
}
