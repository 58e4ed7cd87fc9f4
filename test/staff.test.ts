// `just-hungry staff` against a running cluster (in this process, on real
// sockets), as an operator would use it: add prints a token once and the
// replicas keep only its hash, replicated to every one; list and remove do
// what they say; bad flags and a wrong data directory get one clear line.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessCluster } from './helpers/in-process.ts';
import { runJustHungry } from './helpers/pty.ts';

describe('just-hungry staff', () => {
  let cluster: InProcessCluster;
  const staff = (...args: string[]) => runJustHungry(['staff', ...args, '--data', cluster.dataDir, '--gateway', cluster.gatewayUrl], {});

  beforeAll(async () => {
    cluster = await InProcessCluster.start({ replicas: 3 });
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  });

  it('adds staff with a token shown once and kept only as its hash on every replica, lists them, and removes them', async () => {
    expect((await staff('list')).stdout).toContain('No staff yet');

    const added = await staff('add', 'Sam Cook', '--role', 'kitchen');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const token = /shown this once \(only its hash is kept\): (jhs_[A-Za-z0-9_-]{43})\n/.exec(added.stdout)?.[1];
    const samId = /, id ([0-9a-f-]{36})\./.exec(added.stdout)?.[1];
    expect(token).toBeDefined();
    const ria = JSON.parse((await staff('add', '  Ria  ', '--role', 'courier', '--json')).stdout) as { staff: { id: string; name: string; role: string }; token: string };
    expect(ria.staff).toMatchObject({ name: 'Ria', role: 'COURIER' });

    const listed = await staff('list');
    expect(listed.stdout).toMatch(new RegExp(`Sam Cook +kitchen +${samId}`));
    expect(listed.stdout).toMatch(/Ria +courier/);
    const asJson = JSON.parse((await staff('list', '--json')).stdout) as { staff: { name: string }[] };
    expect(asJson.staff.map((s) => s.name)).toEqual(['Ria', 'Sam Cook']);
    expect(JSON.stringify(asJson)).not.toContain('jhs_');

    // Every replica has both, by the same state, and holds the token's hash, never the token.
    await cluster.waitForConvergence(3);
    for (const name of ['1', '2', '3']) {
      const db = new Database(join(cluster.dataDir, 'replicas', `${name}.db`), { readonly: true });
      try {
        const rows = db.prepare('SELECT name, role, token_hash FROM staff ORDER BY name').all() as { name: string; role: string; token_hash: string }[];
        expect(rows.map((r) => `${r.name}:${r.role}`)).toEqual(['Ria:COURIER', 'Sam Cook:KITCHEN']);
        expect(rows.find((r) => r.name === 'Sam Cook')?.token_hash).toBe(createHash('sha256').update(token ?? '').digest('hex'));
      } finally {
        db.close();
      }
    }

    expect((await staff('remove', samId ?? '')).stdout).toBe('Removed Sam Cook (kitchen): their token no longer works.\n');
    expect((await staff('list')).stdout).not.toContain('Sam Cook');
    const gone = await staff('remove', samId ?? '');
    expect(gone).toMatchObject({ code: 2, stdout: '' });
    expect(gone.stderr).toBe(`error: There is no member of staff ${samId}.\n`);
  });

  it('refuses a bad role, a missing role, an empty name and a wrong data directory with one line', async () => {
    const badRole = await staff('add', 'Max', '--role', 'chef');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role <role>' argument 'chef' is invalid\. Allowed choices are kitchen, courier, operator/);
    const noRole = await staff('add', 'Max');
    expect(noRole).toMatchObject({ code: 2 });
    expect(noRole.stderr).toMatch(/required option '--role <role>' not specified/);
    const empty = await staff('add', '   ', '--role', 'operator');
    expect(empty).toMatchObject({ code: 2, stderr: 'error: A name is 1 to 100 characters.\n' });

    const elsewhere = mkdtempSync(join(tmpdir(), 'jh-staff-'));
    try {
      const wrong = await runJustHungry(['staff', 'list', '--data', elsewhere, '--gateway', cluster.gatewayUrl], { JH_CLUSTER_SECRET: '' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused the cluster secret from .*: use the --data directory the cluster runs with/);
      expect(wrong.stderr).not.toMatch(/at .*\.ts:\d+/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
