// Staff sign in by pasting the token `just-hungry staff add` printed: a
// password field (the token is not shown to whoever stands behind them). What
// the gateway says about it comes back here: a token of nobody's, or one
// removed, is said in words under the field, which takes the focus again.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useStaff } from '../hooks/useStaff.js';
import { staffTokenProblem } from '../staff.js';
import { Field } from './Field.js';

export function StaffSignIn({ purpose }: { purpose: string }) {
  const { state, signIn } = useStaff();
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const checking = state.kind === 'checking';
  // The session's word on the last token tried (or on a stored one that stopped working).
  const refused = state.kind === 'signed-out' ? state.problem : null;
  // Typing again puts the last refusal away.
  const [edited, setEdited] = useState(false);
  const shown = problem ?? (edited ? null : refused);

  // Refused after a sign-in from here: back to the field, to paste again (each answer is a new state).
  const [submitted, setSubmitted] = useState(false);
  useEffect(() => {
    if (submitted && state.kind === 'signed-out' && state.problem) input.current?.focus();
  }, [submitted, state]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (checking) return;
    const pasted = token.trim();
    const wrong = staffTokenProblem(pasted);
    setProblem(wrong);
    if (wrong) {
      input.current?.focus();
      return;
    }
    setSubmitted(true);
    setEdited(false);
    signIn(pasted);
  }

  return (
    <form className="card staff-sign-in" onSubmit={submit} noValidate aria-labelledby="staff-sign-in-title">
      <h2 id="staff-sign-in-title">Staff sign-in</h2>
      <p className="muted">{purpose}</p>
      <Field
        ref={input}
        id="staff-token"
        label="Staff token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        autoCapitalize="none"
        hint="The jhs_… token just-hungry staff add printed for you. It is kept in this tab only."
        value={token}
        onChange={(value) => {
          setToken(value);
          setProblem(null);
          setEdited(true);
        }}
        error={shown ?? undefined}
      />
      <div className="actions">
        <button type="submit" className="button button--primary" aria-disabled={checking} aria-busy={checking}>
          {checking ? 'Checking your token…' : 'Sign in'}
        </button>
      </div>
    </form>
  );
}
