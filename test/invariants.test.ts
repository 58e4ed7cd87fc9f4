// A broken invariant stops the process, loudly (exit code 70 and a fatal log
// line), rather than becoming an HTTP 500 and divergence: here a backup is
// handed, with the cluster secret, an entry whose hash does not extend its
// chain, as only a buggy primary could send.
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { FATAL_EXIT_CODE } from '../replicas/fatal.ts';
import { SECRET, TestCluster } from './helpers/cluster.ts';
import { newCustomer, placeOrder } from './helpers/shop.ts';

let cluster: TestCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

describe('a broken invariant', () => {
  it('stops a backup that is shipped an entry breaking the hash chain, and the cluster goes on without it', async () => {
    const c = (cluster = await TestCluster.start({ replicas: 3 }));
    const token = await newCustomer(c);
    await placeOrder(c, token, [{ productId: 'margherita', quantity: 1 }]);
    const { view, cluster: info } = await c.status();
    const backup = view.backups[0];
    const url = info.replicas.find((r) => r.name === backup)?.url;
    if (!backup || !url) throw new Error('no backup');
    const status = (await (await fetch(`${url}/status`, { headers: { 'x-jh-cluster-secret': SECRET } })).json()) as { position: { seq: number; hash: string } };
    const child = c.processes.get(`replica ${backup}`);
    if (!child) throw new Error('no process');
    const exited = once(child, 'exit');
    const effect = JSON.stringify({ type: 'customerSaved', customer: { id: 'forged', firstName: 'F', lastName: 'L', phone: '1', postcode: 'SW1A 1AA', address: 'A' }, tokenHash: 'f'.repeat(64) });
    await fetch(`${url}/replicate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-jh-cluster-secret': SECRET },
      body: JSON.stringify({
        epoch: view.epoch,
        primary: view.primary,
        after: status.position,
        entries: [{ seq: status.position.seq + 1, epoch: view.epoch, requestId: 'forged', effect, hash: 'f'.repeat(64) }],
        committedSeq: 0,
      }),
    }).catch(() => null); // the backup may die before it answers
    const [code] = (await exited) as [number | null];
    expect(code).toBe(FATAL_EXIT_CODE);
    expect(c.logs.get(`replica ${backup}`)?.some((line) => line.includes('invariant broken, stopping') && line.includes('does not match the chain'))).toBe(true);
    // The others carry on: the dead backup is dropped and orders go on.
    const next = await placeOrder(c, token, [{ productId: 'margherita', quantity: 1 }]);
    expect(next.data?.placeOrder.errors).toEqual([]);
  }, 60_000);
});
