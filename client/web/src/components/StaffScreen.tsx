// A page for staff: its title, then the sign-in until a member of staff whose
// role may use it is signed in, and then the screen itself, under the staff
// client (every query, move and live feed inside sends the staff token, never
// the customer's). Someone signed in with another role is told whose screen
// it is and offered theirs.
import { type ReactNode, useRef } from 'react';
import { type Client, Provider } from 'urql';
import { useSignInFocus } from '../hooks/useSignInFocus.js';
import { type StaffMember, type StaffState, useStaff } from '../hooks/useStaff.js';
import { ROLE_WORDS } from '../staff.js';
import type { StaffRole } from '../lifecycle.js';
import { ErrorNotice } from './ErrorNotice.js';
import { PageTitle } from './PageTitle.js';
import { StaffLinks } from './StaffBar.js';
import { StaffSignIn } from './StaffSignIn.js';

interface StaffScreenProps {
  id: string;
  title: string;
  /** Who may use the screen, and what to say to anyone else (who it is for). */
  roles: readonly StaffRole[];
  forWhom: string;
  /** What signing in here is for, said above the token field. */
  purpose: string;
  children(member: StaffMember): ReactNode;
}

export function StaffScreen({ id, title, roles, forWhom, purpose, children }: StaffScreenProps) {
  const { state, recheck } = useStaff();
  const page = useRef<HTMLElement>(null);
  useSignInFocus(page, state);

  const content = (
    <SignInState state={state} purpose={purpose} recheck={recheck}>
      {(member, client) =>
        roles.includes(member.role) ? <Provider value={client}>{children(member)}</Provider> : <WrongRole member={member} forWhom={forWhom} />
      }
    </SignInState>
  );
  return (
    <section className={`staff-screen staff-screen--${id}`} aria-labelledby={`${id}-title`} ref={page}>
      <PageTitle id={`${id}-title`} title={title} />
      {content}
    </section>
  );
}

function WrongRole({ member, forWhom }: { member: StaffMember; forWhom: string }) {
  return (
    <div className="card" data-testid="wrong-role">
      <p>
        {forWhom} You are signed in as {member.name} ({ROLE_WORDS[member.role].toLowerCase()}).
      </p>
      <StaffLinks role={member.role} label="Your screens" />
    </div>
  );
}

/**
 * Where a staff token stands, for any page that needs one: the sign-in (also
 * while a pasted token is checked), a token being checked after a reload, a
 * check that failed (with Try again), or, once signed in, what `signedIn`
 * shows for the member, under their own urql client.
 */
export function SignInState({ state, purpose, recheck, children: signedIn }: {
  state: StaffState;
  purpose: string;
  recheck: () => void;
  children(member: StaffMember, client: Client): ReactNode;
}) {
  switch (state.kind) {
    case 'signed-out':
      return <StaffSignIn purpose={purpose} />;
    case 'checking':
      return state.pasted ? (
        <StaffSignIn purpose={purpose} />
      ) : (
        <p className="muted" aria-busy="true">
          Checking your staff token…
        </p>
      );
    case 'failed':
      return <ErrorNotice onRetry={recheck}>{state.problem}</ErrorNotice>;
    case 'signed-in':
      return signedIn(state.member, state.client.urql);
  }
}
