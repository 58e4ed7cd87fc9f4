// Inter-node security: replica and view-service endpoints need the cluster
// secret (in-process; the replicas' and view service's real sockets); the
// files that hold personal data are the service user's only. Fencing
// a primary of an old epoch needs a frozen process: test/replication.test.ts.
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../replicas/store.ts';
import { SECRET, clusterForBlock, postInternal } from './helpers/cluster.ts';
import { InProcessCluster } from './helpers/in-process.ts';

let cluster: InProcessCluster;
clusterForBlock(() => InProcessCluster.start({ replicas: 3 }), (c) => (cluster = c));


describe('cluster secret', () => {
  it('guards every replica endpoint', async () => {
    const { cluster: info } = await cluster.status();
    const replica = info.replicas[0]!;
    for (const path of ['/write-batch', '/read', '/replicate', '/snapshot', '/catchup', '/join', '/view']) {
      for (const secret of [undefined, 'wrong-secret-wrong-secret-1234']) {
        const response = await postInternal(`${replica.url}${path}`, {}, secret);
        expect(response.status, `${path} with ${secret ?? 'no secret'}`).toBe(401);
      }
    }
    const status = await fetch(`${replica.url}/status`);
    expect(status.status).toBe(401);
  });

  it('guards every view-service endpoint', async () => {
    for (const path of ['/cluster/heartbeat', '/cluster/report', '/cluster/add-backup']) {
      expect((await postInternal(`${cluster.gatewayUrl}${path}`, {})).status).toBe(401);
      expect((await postInternal(`${cluster.gatewayUrl}${path}`, {}, 'nope-nope-nope-nope-nope')).status).toBe(401);
    }
    expect((await fetch(`${cluster.gatewayUrl}/cluster/status`)).status).toBe(401);
  });

  it('answers malformed calls that carry the secret with a 400, not a crash', async () => {
    const { cluster: info } = await cluster.status();
    const response = await postInternal(`${info.replicas[0]!.url}/replicate`, { epoch: 'x' }, SECRET);
    expect(response.status).toBe(400);
    expect((await cluster.status()).cluster.writable).toBe(true);
  });
});

describe('files on disk', () => {
  it('keeps the replicas\' databases (with their WAL and shared memory), the view and the secret readable by the service\'s user only', async () => {
    await cluster.gql('{ products { id } }'); // the cluster has written its view and its stores
    const files = [
      join(cluster.dataDir, 'view.json'),
      join(cluster.dataDir, 'cluster.secret'),
      ...readdirSync(join(cluster.dataDir, 'replicas')).map((name) => join(cluster.dataDir, 'replicas', name)),
    ];
    expect(files.filter((f) => /\.db-wal$/.test(f))).toHaveLength(3);
    for (const file of files) expect((statSync(file).mode & 0o777).toString(8), file).toBe('600');
    expect((statSync(join(cluster.dataDir, 'replicas')).mode & 0o777).toString(8)).toBe('700');
  });

  it('narrows a database file an older version left readable by others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jh-modes-'));
    try {
      const path = join(dir, 'old.db');
      writeFileSync(path, '');
      chmodSync(path, 0o644);
      Store.open(path).close();
      expect((statSync(path).mode & 0o777).toString(8)).toBe('600');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
