// Staff navigation. Customers never see it: it shows, under the header, only
// while a member of staff is signed in to this tab (their name and role, the
// screens their role may use, and a sign-out). Signed out, a small "Staff"
// link in the footer leads to the sign-in (/staff), so the customer's header
// keeps its two tabs.
import { focusHeading } from '../hooks/useHeadingFocus.js';
import { useStaff } from '../hooks/useStaff.js';
import { SCREEN_ROLES, type StaffRole } from '../lifecycle.js';
import type { Route } from '../router.js';
import { ROLE_WORDS } from '../staff.js';
import { Link } from './Link.js';

type StaffPage = 'kitchen' | 'courier' | 'cluster';

const SCREENS: { page: StaffPage; label: string; roles: readonly StaffRole[] }[] = [
  { page: 'kitchen', label: 'Kitchen', roles: SCREEN_ROLES.kitchen },
  { page: 'courier', label: 'Courier', roles: SCREEN_ROLES.courier },
  { page: 'cluster', label: 'Cluster', roles: ['OPERATOR'] },
];

export function StaffLinks({ role, label, route }: { role: StaffRole; label: string; route?: Route }) {
  return (
    <nav aria-label={label} className="staff-links">
      <ul>
        {SCREENS.filter((s) => s.roles.includes(role)).map((screen) => (
          <li key={screen.page}>
            <Link to={{ page: screen.page }} aria-current={route?.page === screen.page ? 'page' : undefined}>
              {screen.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function StaffBar({ route }: { route: Route }) {
  const { state, signOut } = useStaff();
  if (state.kind !== 'signed-in') return null;
  const { member } = state;
  return (
    <div className="staff-bar" data-testid="staff-bar">
      <p className="staff-bar__who">
        <span>Staff:</span> <strong>{member.name}</strong> <span className="staff-bar__role">{ROLE_WORDS[member.role]}</span>
      </p>
      <StaffLinks role={member.role} label="Staff" route={route} />
      <SignOut className="link-button staff-bar__out" signOut={signOut} />
    </div>
  );
}

/** Signs the tab's staff out; the button goes with the signed-in view, so the focus goes to the page's heading, not to the top of the document. */
export function SignOut({ className, signOut }: { className: string; signOut: () => void }) {
  return (
    <button
      type="button"
      className={className}
      onClick={() => {
        signOut();
        focusHeading();
      }}
    >
      Sign out
    </button>
  );
}
