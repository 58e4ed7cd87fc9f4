import type { ReactNode } from 'react';

/** A problem the customer should see at once, announced to screen readers, with a way to try again when there is one. */
export function ErrorNotice({ children, onRetry }: { children: ReactNode; onRetry?: () => void }) {
  return (
    <div className="notice notice--error" role="alert">
      {children}
      {onRetry && (
        <>
          {' '}
          <button type="button" className="link-button" onClick={onRetry}>
            Try again
          </button>
        </>
      )}
    </div>
  );
}
