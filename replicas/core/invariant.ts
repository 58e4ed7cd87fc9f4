// A broken invariant is a bug, never an expected failure: the process that
// finds one stops (replicas/fatal.ts does it for the processes), so that a
// correctness bug becomes a visible restart and never silent divergence.

export class InvariantBroken extends Error {
  constructor(message: string) {
    super(`invariant broken: ${message}`);
    this.name = 'InvariantBroken';
  }
}

export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantBroken(message);
}
