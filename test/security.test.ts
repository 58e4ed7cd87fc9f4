// Inter-node security and fencing: replica and view-service endpoints need the
// cluster secret, and a primary of an old epoch cannot get a write acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, TestCluster, waitFor } from './helpers/cluster.ts';
import { newCustomer } from './helpers/shop.ts';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await TestCluster.start({ replicas: 3 });
});
afterAll(async () => {
  await cluster?.close();
});

async function post(url: string, body: unknown, secret?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (secret !== undefined) headers['x-jh-cluster-secret'] = secret;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('cluster secret', () => {
  it('guards every replica endpoint', async () => {
    const { cluster: info } = await cluster.status();
    const replica = info.replicas[0]!;
    for (const path of ['/write-batch', '/read', '/replicate', '/snapshot', '/catchup', '/join', '/view']) {
      for (const secret of [undefined, 'wrong-secret-wrong-secret-1234']) {
        const response = await post(`${replica.url}${path}`, {}, secret);
        expect(response.status, `${path} with ${secret ?? 'no secret'}`).toBe(401);
      }
    }
    const status = await fetch(`${replica.url}/status`);
    expect(status.status).toBe(401);
  });

  it('guards every view-service endpoint', async () => {
    for (const path of ['/cluster/heartbeat', '/cluster/report', '/cluster/add-backup']) {
      expect((await post(`${cluster.gatewayUrl}${path}`, {})).status).toBe(401);
      expect((await post(`${cluster.gatewayUrl}${path}`, {}, 'nope-nope-nope-nope-nope')).status).toBe(401);
    }
    expect((await fetch(`${cluster.gatewayUrl}/cluster/status`)).status).toBe(401);
  });

  it('answers malformed calls that carry the secret with a 400, not a crash', async () => {
    const { cluster: info } = await cluster.status();
    const response = await post(`${info.replicas[0]!.url}/replicate`, { epoch: 'x' }, SECRET);
    expect(response.status).toBe(400);
    expect((await cluster.status()).cluster.writable).toBe(true);
  });
});

describe('fencing', () => {
  it('never acknowledges a write from a primary of an old epoch', async () => {
    const token = await newCustomer(cluster);
    const { view: old } = await cluster.status();
    const oldPrimary = old.primary!;
    const oldUrl = (await cluster.status()).cluster.replicas.find((r) => r.name === oldPrimary)!.url;

    // Freeze the primary; the view service replaces it.
    await cluster.signal(`replica ${oldPrimary}`, 'SIGSTOP');
    await waitFor('a failover', async () => (await cluster.status()).view.epoch > old.epoch);
    const customer = (await cluster.gql('{ viewer { id } }', {}, token)).data?.viewer.id;

    // The woken primary still believes in its epoch for a moment: a write
    // sent to it with that epoch must not come back acknowledged.
    await cluster.signal(`replica ${oldPrimary}`, 'SIGCONT');
    const stale = await post(`${oldUrl}/write-batch`, {
      requests: [{
        epoch: old.epoch,
        requestId: 'stale-write',
        command: { type: 'placeOrder', customerId: customer, idempotencyKey: 'stale', lines: [{ productId: 'ramen', quantity: 1 }], deliveryOptionId: 'standard' },
      }],
    }, SECRET);
    expect(stale.status).toBe(200);
    expect(stale.body.answers).toMatchObject([{ ok: false }]);

    // And a backup refuses shipments from the old epoch outright.
    const { view } = await cluster.status();
    const backup = view.backups[0]!;
    const backupUrl = (await cluster.status()).cluster.replicas.find((r) => r.name === backup)!.url;
    const shipped = await post(`${backupUrl}/replicate`, { epoch: old.epoch, primary: oldPrimary, after: { seq: 0, hash: '0'.repeat(64) }, entries: [], committedSeq: 0 }, SECRET);
    expect(shipped.body).toMatchObject({ ok: false, code: 'STALE_EPOCH' });

    // Nothing of it reached any replica.
    await cluster.waitForView(3);
    await cluster.waitForConvergence(3);
    const orders = await cluster.gql('{ viewer { orders { totalCount } } }', {}, token);
    expect(orders.data?.viewer.orders.totalCount).toBe(0);
  }, 60_000);
});
