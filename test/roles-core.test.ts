// The replica's role decision (replicas/core/roles.ts), as replicas/replica.ts
// and the simulator use it.
import { describe, expect, it } from 'vitest';
import { type RoleFacts, legalRoleMove, wantedRole } from '../replicas/core/roles.ts';

const facts = (over: Partial<RoleFacts> = {}): RoleFacts => ({
  name: 'r1',
  view: { epoch: 3, primary: 'r1', backups: ['r2'] },
  canWrite: true,
  installingSnapshot: false,
  headSeq: 10,
  knownCommittedSeq: 10,
  storeId: 'store-a',
  recordedStore: 'store-a',
  ...over,
});

describe('the role a replica plays', () => {
  it('is the role its view names it to', () => {
    expect(wantedRole(facts())).toEqual({ role: 'PRIMARY', unfit: false });
    expect(wantedRole(facts({ name: 'r2' })).role).toBe('BACKUP');
    expect(wantedRole(facts({ name: 'r3' })).role).toBe('CATCHING_UP');
  });

  it('is never primary below a seq it knows was committed, on another store than the one on record, or mid-snapshot', () => {
    expect(wantedRole(facts({ headSeq: 9 }))).toEqual({ role: 'CATCHING_UP', unfit: true });
    expect(wantedRole(facts({ recordedStore: 'store-b' }))).toEqual({ role: 'CATCHING_UP', unfit: true });
    expect(wantedRole(facts({ installingSnapshot: true }))).toEqual({ role: 'CATCHING_UP', unfit: true });
    // A store the view service has no record of (a first start) may lead.
    expect(wantedRole(facts({ recordedStore: undefined })).role).toBe('PRIMARY');
  });

  it('stays out of the view while its disk refuses writes', () => {
    expect(wantedRole(facts({ canWrite: false }))).toEqual({ role: 'CATCHING_UP', unfit: false });
    expect(wantedRole(facts({ name: 'r2', canWrite: false })).role).toBe('CATCHING_UP');
  });

  it('changes only along the legal moves', () => {
    expect(legalRoleMove('CATCHING_UP', 'BACKUP')).toBe(true);
    expect(legalRoleMove('BACKUP', 'PRIMARY')).toBe(true);
    expect(legalRoleMove('PRIMARY', 'PRIMARY')).toBe(false);
  });
});
