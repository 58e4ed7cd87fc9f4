// After the link to the gateway comes back, refetch what may have changed
// while it was gone (live events sent meanwhile were missed).
import { useEffect, useRef } from 'react';
import { useConnection } from '../connection.js';

export function useRefetchOnRecovery(refetch: () => void): void {
  const { recoveries } = useConnection();
  const seen = useRef(recoveries);
  const latest = useRef(refetch);
  latest.current = refetch;
  useEffect(() => {
    if (recoveries === seen.current) return;
    seen.current = recoveries;
    latest.current();
  }, [recoveries]);
}
