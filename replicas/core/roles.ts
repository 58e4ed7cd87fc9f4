// Which role a replica plays, decided without I/O: the role the view names it
// to, unless it must not. One that cannot write to its disk stays out of the
// view until it can. One named primary does not lead while it is installing a
// snapshot (its store is half replaced), below the highest seq it knows was
// committed, or on another store than the one the view service has on record
// (a stale view, from a view service still learning after a restart): it
// would lack acknowledged writes. replicas/replica.ts acts on this, as do the
// simulator's replicas.
import type { Role, View } from '../protocol.ts';

/**
 * CATCHING_UP -> BACKUP (joined) -> PRIMARY (failover), or straight to
 * PRIMARY (the first primary, or a holder restarted from its file); any role
 * back to CATCHING_UP (dropped, deposed, unfit, or its disk failing).
 */
export const ROLE_MOVES: Record<Role, readonly Role[]> = {
  CATCHING_UP: ['BACKUP', 'PRIMARY'],
  BACKUP: ['PRIMARY', 'CATCHING_UP'],
  PRIMARY: ['CATCHING_UP', 'BACKUP'],
};

/** Whether `from` may become `to` (ROLE_MOVES); any other change is a bug, and stops the process. */
export function legalRoleMove(from: Role, to: Role): boolean {
  return to !== from && ROLE_MOVES[from].includes(to);
}

export interface RoleFacts {
  name: string;
  view: View;
  canWrite: boolean;
  installingSnapshot: boolean;
  headSeq: number;
  /** The highest seq this replica knows the cluster committed (its own record, the view service's, a backup's). */
  knownCommittedSeq: number;
  storeId: string;
  /** The store id the view service has on record for this replica, if any. */
  recordedStore: string | undefined;
}

/** The role the view names this replica to. */
export function namedRole(name: string, view: View): Role {
  return view.primary === name ? 'PRIMARY' : view.backups.includes(name) ? 'BACKUP' : 'CATCHING_UP';
}

/** The role to play, and whether it was named primary but is unfit to lead. */
export function wantedRole(facts: RoleFacts): { role: Role; unfit: boolean } {
  const named = namedRole(facts.name, facts.view);
  const otherStore = facts.recordedStore !== undefined && facts.recordedStore !== facts.storeId;
  const unfit = named === 'PRIMARY' && (facts.installingSnapshot || facts.headSeq < facts.knownCommittedSeq || otherStore);
  return { role: facts.canWrite && !unfit ? named : 'CATCHING_UP', unfit };
}
