// Time as the view service lived it: a clock that does not run while its
// owner was stalled (SIGSTOP, a long GC, a saturated event loop, a slow
// start). Silence is measured on it, so the view service never blames a
// replica for heartbeats it was itself too stalled to hear.

export class AwakeClock {
  private awakeMs = 0;
  private lastRealMs: number;

  /**
   * @param stepMaxMs the longest gap between two readings that counts in
   *   full; anything longer is the owner's own stall and counts as this much.
   * @param realNow a monotonic real clock (the process passes performance.now; the simulator its own).
   */
  constructor(
    private readonly stepMaxMs: number,
    private readonly realNow: () => number,
  ) {
    if (!(stepMaxMs > 0)) throw new Error(`AwakeClock: stepMaxMs must be positive, not ${stepMaxMs}`);
    this.lastRealMs = realNow();
  }

  /** Milliseconds of awake time since the clock was made. Never goes backwards. */
  now(): number {
    const real = this.realNow();
    const step = real - this.lastRealMs;
    this.lastRealMs = real;
    this.awakeMs += Math.min(Math.max(step, 0), this.stepMaxMs);
    return this.awakeMs;
  }
}
