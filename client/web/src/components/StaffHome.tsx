// /staff, where the footer's "Staff" link leads: the sign-in, then who is
// signed in, the screens their role may use and a sign-out.
import { ROLE_WORDS, STAFF_ROLES } from '../staff.js';
import { useStaff } from '../hooks/useStaff.js';
import { SignOut, StaffLinks } from './StaffBar.js';
import { StaffScreen } from './StaffScreen.js';

export function StaffHome() {
  const { signOut } = useStaff();
  return (
    <StaffScreen id="staff" title="Staff" roles={STAFF_ROLES} forWhom="" purpose="Kitchen staff, couriers and operators sign in here with their own token.">
      {(member) => (
        <div className="card" data-testid="staff-home">
          <p>
            Signed in as <strong>{member.name}</strong> ({ROLE_WORDS[member.role].toLowerCase()}).
          </p>
          <StaffLinks role={member.role} label="Your screens" />
          <div className="actions">
            <SignOut className="button button--ghost" signOut={signOut} />
          </div>
        </div>
      )}
    </StaffScreen>
  );
}
