// After the link to the gateway comes back, refetch what may have changed
// while it was gone (live events sent meanwhile were missed). With
// `everyMs`, also every so often while the view is open: a feed is opened
// beside the first read, not before it, so a change committed between the
// two is in neither (GraphQL subscriptions say nothing when they start, so a
// client cannot wait for one to be open); the next read brings it.
import { useEffect, useRef } from 'react';
import { useConnection } from '../connection.js';

export function useRefetchOnRecovery(refetch: () => void, everyMs: number | null = null): void {
  const { recoveries } = useConnection();
  const seen = useRef(recoveries);
  const latest = useRef(refetch);
  latest.current = refetch;
  useEffect(() => {
    if (recoveries === seen.current) return;
    seen.current = recoveries;
    latest.current();
  }, [recoveries]);
  useEffect(() => {
    if (everyMs === null) return;
    const timer = setInterval(() => latest.current(), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
}
