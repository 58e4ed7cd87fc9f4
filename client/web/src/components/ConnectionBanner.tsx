// Says so when the gateway cannot be reached, and that the app keeps trying
// by itself (nothing typed is lost); then that it is back.
import { useEffect, useState } from 'react';
import { isOffline, useConnection } from '../connection.js';

export function ConnectionBanner() {
  const state = useConnection();
  const offline = isOffline(state);
  const [backAt, setBackAt] = useState<number | null>(null);
  const [wasOffline, setWasOffline] = useState(false);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    if (offline) setWasOffline(true);
    else if (wasOffline) {
      setWasOffline(false);
      setBackAt(Date.now());
    }
  }, [offline, wasOffline]);
  useEffect(() => {
    if (!offline && backAt === null) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [offline, backAt]);
  const showBack = !offline && backAt !== null && now - backAt < 3_000;

  const seconds = state.nextRetryAt ? Math.max(0, Math.ceil((state.nextRetryAt - now) / 1000)) : 0;
  return (
    <div className="connection" role="status" aria-live="polite">
      {offline && (
        <p className="connection__banner connection__banner--offline" data-testid="offline-banner">
          <strong>Can't reach Just Hungry right now.</strong> Reconnecting{seconds > 0 ? ` in ${seconds} s` : '…'} — nothing you typed is lost.
        </p>
      )}
      {showBack && <p className="connection__banner connection__banner--online">Back online.</p>}
    </div>
  );
}
