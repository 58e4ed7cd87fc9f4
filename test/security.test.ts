// Inter-node security: replica and view-service endpoints need the cluster
// secret (in-process; the replicas' and view service's real sockets). Fencing
// a primary of an old epoch needs a frozen process: test/replication.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, postInternal } from './helpers/cluster.ts';
import { InProcessCluster } from './helpers/in-process.ts';

let cluster: InProcessCluster;
beforeAll(async () => {
  cluster = await InProcessCluster.start({ replicas: 3 });
});
afterAll(async () => {
  await cluster?.close();
});


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
