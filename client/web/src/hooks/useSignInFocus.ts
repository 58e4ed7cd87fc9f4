// Just signed in from this page: the sign-in form went away with the focus,
// which goes to the page's heading (not to the top of the document). A token
// read back from storage as the page opens moves nothing.
import { type RefObject, useEffect, useRef } from 'react';
import { focusHeading } from './useHeadingFocus.js';
import type { StaffState } from './useStaff.js';

export function useSignInFocus(page: RefObject<HTMLElement | null>, state: StaffState): void {
  const askedToSignIn = useRef(false);
  useEffect(() => {
    if (state.kind === 'signed-out') askedToSignIn.current = true;
    if (state.kind === 'signed-in' && askedToSignIn.current) {
      askedToSignIn.current = false;
      focusHeading(page.current);
    }
  }, [page, state]);
}
