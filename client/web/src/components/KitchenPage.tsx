// /kitchen: the orders to cook, in the order they came, from New to Ready.
// Orders leave the board when they are rejected, cancelled, collected or
// taken out by a courier.
import { KITCHEN_COLUMNS, SCREEN_ROLES } from '../lifecycle.js';
import { StaffBoard } from './StaffBoard.js';
import { StaffScreen } from './StaffScreen.js';

export function KitchenPage() {
  return (
    <StaffScreen
      id="kitchen"
      title="Kitchen"
      roles={SCREEN_ROLES.kitchen}
      forWhom="The kitchen board is for the kitchen and operators."
      purpose="Sign in with a kitchen or operator token to see the orders to cook."
    >
      {(member) => <StaffBoard screen="kitchen" member={member} columns={KITCHEN_COLUMNS} empty="No orders to cook right now. New orders appear here as they are placed." />}
    </StaffScreen>
  );
}
