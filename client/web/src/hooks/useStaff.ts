// A member of staff signed in to this tab: their token, the urql client that
// sends it (apart from the customer's: a client belongs to one token), and who
// the gateway says they are (`staffViewer`). Signing in asks the gateway
// before the token is kept; a token that stops working (removed) signs out
// with a message. The app holds one session and hands it down by context.
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { StaffViewerQuery } from '../../../operations.js';
import type { StaffViewerQuery as StaffViewerData } from '../../../gql/graphql.js';
import { type GraphQLClient, createGraphQLClient } from '../graphql-client.js';
import { staffTokenStore } from '../storage.js';

export type StaffMember = NonNullable<StaffViewerData['staffViewer']>;

export type StaffState =
  | { kind: 'signed-out'; problem: string | null }
  /**
   * Asking the gateway whose token this is (while the gateway cannot be reached, for as long as that lasts):
   * one just pasted in the sign-in form (which stays, saying so), or one kept from before.
   */
  | { kind: 'checking'; token: string; client: GraphQLClient; pasted: boolean }
  | { kind: 'signed-in'; token: string; client: GraphQLClient; member: StaffMember }
  /** The gateway answered with an error rather than a yes or no: the token is kept, to ask again. */
  | { kind: 'failed'; token: string; client: GraphQLClient; problem: string };

export interface StaffSession {
  state: StaffState;
  signIn(token: string): void;
  signOut(): void;
  /** Ask again whom the token belongs to (after a FORBIDDEN: it may have been removed meanwhile). */
  recheck(): void;
}

const UNKNOWN_STAFF_TOKEN = 'That token does not belong to any member of staff: it may be mistyped, or it was removed. Ask an operator for a new one (just-hungry staff add).';
const REMOVED = 'Your staff token no longer works (it was removed): sign in again with a new one.';
const NOT_CHECKED = 'Your staff token could not be checked just now.';

export function useStaffSession(): StaffSession {
  const [state, setState] = useState<StaffState>(() => {
    const token = staffTokenStore.get();
    return token ? { kind: 'checking', token, client: createGraphQLClient(token), pasted: false } : { kind: 'signed-out', problem: null };
  });
  // A token read back from storage that no longer works was signed in before: say it was removed, not mistyped.
  const wasSignedIn = useRef(state.kind === 'checking');

  const checking = state.kind === 'checking' ? state : null;
  useEffect(() => {
    if (!checking) return;
    const { token, client } = checking;
    let live = true;
    void client.urql
      .query(StaffViewerQuery, {}, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (!live) return;
        const member = result.data?.staffViewer;
        if (member) {
          staffTokenStore.set(token);
          setState({ kind: 'signed-in', token, client, member });
          return;
        }
        if (result.data) {
          // The gateway's answer: nobody. The token is forgotten.
          client.dispose();
          staffTokenStore.set(null);
          setState({ kind: 'signed-out', problem: wasSignedIn.current ? REMOVED : UNKNOWN_STAFF_TOKEN });
          return;
        }
        setState({ kind: 'failed', token, client, problem: NOT_CHECKED });
      });
    return () => {
      live = false;
    };
  }, [checking]);

  // The client in use is kept across re-renders; one replaced or signed out is closed (its socket too).
  const current = state.kind === 'signed-out' ? null : state;
  const signIn = useCallback(
    (token: string) => {
      current?.client.dispose();
      wasSignedIn.current = false;
      setState({ kind: 'checking', token, client: createGraphQLClient(token), pasted: true });
    },
    [current],
  );
  const signOut = useCallback(() => {
    current?.client.dispose();
    staffTokenStore.set(null);
    setState({ kind: 'signed-out', problem: null });
  }, [current]);
  const recheck = useCallback(() => {
    if (!current) return;
    if (current.kind === 'signed-in') wasSignedIn.current = true;
    setState({ kind: 'checking', token: current.token, client: current.client, pasted: false });
  }, [current]);
  return { state, signIn, signOut, recheck };
}

export const StaffContext = createContext<StaffSession | null>(null);

export function useStaff(): StaffSession {
  const session = useContext(StaffContext);
  if (!session) throw new Error('useStaff needs the StaffContext the app provides');
  return session;
}
