// Replica pieces tested in-process, for bugs a careful read found that the
// process tests never hit: a primary that could not learn a newer view while
// levelling stayed a primary that never became ready, and a fence written
// while a round's transaction was open was rolled back with a failed round.
import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Primary, type PrimaryLink } from '../replicas/primary.ts';
import { GENESIS } from '../replicas/hash-chain.ts';
import { Store } from '../replicas/store.ts';
import { waitFor } from '../cli/wait.ts';

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeAllConnections();
    await closed;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storeFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'jh-units-'));
  dirs.push(dir);
  return join(dir, 'r.db');
}

/** A backup that answers /replicate with `answers` in turn (the last one for ever after). */
async function scriptedBackup(answers: unknown[]): Promise<string> {
  let call = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = answers[Math.min(call++, answers.length - 1)];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a primary becoming ready', () => {
  it('keeps levelling when the view service cannot be asked for the newer view a backup knows of, and becomes ready', async () => {
    const backupUrl = await scriptedBackup([
      { ok: false, code: 'STALE_EPOCH', epoch: 5, position: GENESIS },
      { ok: true, position: GENESIS },
    ]);
    const store = Store.open(storeFile());
    let refreshes = 0;
    const link: PrimaryLink = {
      name: 'p',
      secret: 's',
      url: () => backupUrl,
      report: () => undefined,
      refreshView: () => {
        // The view service cannot be reached: nothing comes back, the view stays as it was.
        refreshes++;
      },
      addBackup: async () => null,
      diskFailed: () => undefined,
      lacksCommitted: () => undefined,
      committed: () => undefined,
    };
    const primary = new Primary(store, link, { batchOpsMax: 8, replicationTimeoutMs: 1000, shipEntriesMax: 100, heartbeatMs: 50 }, pino({ level: process.env.JH_TEST_LOG ?? 'silent' }), {
      view: { epoch: 4, primary: 'p', backups: ['b'] },
      minReplicas: 2,
      committedSeq: 0,
    });
    try {
      primary.start();
      await waitFor('a ready primary', () => primary.isReady, 5000);
      expect(refreshes).toBeGreaterThanOrEqual(1);
    } finally {
      primary.stop();
      store.close();
    }
  });
});

describe('metadata written while a round is open', () => {
  it('survives the round rolling back (the fence epoch must never be forgotten)', async () => {
    const file = storeFile();
    const store = Store.open(file);
    store.begin();
    store.setMetaOutsideRound('fencedEpoch', '7');
    store.rollback();
    store.close();
    const reopened = Store.open(file);
    try {
      await waitFor('the fence on disk', () => reopened.meta('fencedEpoch') === '7', 1000);
    } finally {
      reopened.close();
    }
  });
});

describe('shipments that fit a peer body', () => {
  it('hands out entries up to a byte budget, and always at least one', () => {
    const store = Store.open(storeFile());
    try {
      store.begin();
      for (let i = 0; i < 10; i++) {
        const customer = { id: `c${i}`, firstName: 'x'.repeat(900), lastName: 'L', phone: '020 7946 0018', postcode: 'SW1A 1AA', address: 'A' };
        store.append(1, `r${i}`, { type: 'customerSaved', customer, tokenHash: `${i}`.padStart(64, '0') });
      }
      store.commit();
      const bytes = (entries: { effect: string }[]) => entries.reduce((sum, e) => sum + e.effect.length, 0);
      const some = store.entriesAfter(0, 100, 3000);
      expect(some.length).toBeGreaterThan(1);
      expect(some.length).toBeLessThan(10);
      expect(bytes(some)).toBeLessThanOrEqual(3000);
      expect(store.entriesAfter(0, 100, 10)).toHaveLength(1);
      expect(store.entriesAfter(0, 4)).toHaveLength(4);
    } finally {
      store.close();
    }
  });
});

describe('snapshots in chunks', () => {
  /** A store with `customers` customers and one order each, written as a primary's rounds would. */
  function filledStore(customers: number): Store {
    const store = Store.open(storeFile());
    store.begin();
    const option = { id: 'standard', name: 'Standard', description: 'an hour', costMinor: 299 };
    store.append(1, 'catalog', { type: 'catalogLoaded', products: [{ id: 'p', name: 'P', description: 'd', priceMinor: 500, stock: 1_000_000 }], deliveryOptions: [option] });
    for (let i = 0; i < customers; i++) {
      const customer = { id: `c${String(i).padStart(6, '0')}`, firstName: 'F', lastName: 'L', phone: '020 7946 0018', postcode: 'SW1A 1AA', address: `${i} Street` };
      store.append(1, `save-${i}`, { type: 'customerSaved', customer, tokenHash: `${i}`.padStart(64, '0') });
      const line = { productId: 'p', productName: 'P', quantity: 1, unitPriceMinor: 500, lineTotalMinor: 500 };
      const order = { id: String(i + 1), customerId: customer.id, idempotencyKey: `k${i}`, status: 'ACTIVE' as const, createdAt: '2026-11-29T00:00:00.000Z', deliveryOption: option, lines: [line], subtotalMinor: 500, deliveryCostMinor: 299, tipMinor: 0, totalMinor: 799 };
      const idempotency = { scope: customer.id, key: `k${i}`, requestHash: `${i}`.padStart(64, 'a') };
      store.append(1, `order-${i}`, { type: 'orderPlaced', order, stock: [{ productId: 'p', stock: 1_000_000 - i - 1 }], idempotency });
    }
    for (const [n, role] of (['KITCHEN', 'COURIER'] as const).entries()) {
      store.append(1, `staff-${n}`, { type: 'staffAdded', staff: { id: `s${n}`, name: `Staff ${n}`, role }, tokenHash: `${n}`.padStart(64, 'b') });
    }
    store.commit();
    return store;
  }

  async function* arriving<T>(items: Iterable<T>): AsyncGenerator<T> {
    for (const item of items) {
      await Promise.resolve();
      yield item;
    }
  }

  it('streams a store page by page, in bounded lines, into another that ends up identical', async () => {
    const source = filledStore(2500);
    const target = Store.open(storeFile());
    try {
      const chunks = [...source.snapshotChunks(100)];
      // 2,500 customers, 2,500 orders, 5,003 dedupe rows and 2,500 idempotency keys, 100 to a line, the staff with the head: 128 lines and none longer than a page.
      expect(chunks.length).toBe(1 + 25 + 25 + 51 + 25 + 1);
      const longest = Math.max(...chunks.map((c) => JSON.stringify(c).length));
      expect(longest).toBeLessThan(100 * 1000);
      const installed = await target.installSnapshotChunks(arriving(source.snapshotChunks(100)), () => true);
      expect(installed).toEqual(source.committed.position());
      expect(target.head).toEqual(source.head);
      expect(target.committed.stateHash()).toBe(source.committed.stateHash());
      expect(target.committed.staffList().map((s) => s.name)).toEqual(['Staff 1', 'Staff 0']);
      // A retry sent to the replica that installed it is answered as the first request was.
      expect(target.committed.remembered('c001234', 'k1234')).toEqual({ requestHash: '1234'.padStart(64, 'a'), result: expect.objectContaining({ id: '1235' }) });
    } finally {
      source.close();
      target.close();
    }
  });

  it('refuses, changing nothing, a snapshot below what the replica knows is committed, and rolls back one cut short', async () => {
    const source = filledStore(10);
    const target = filledStore(20);
    try {
      const before = target.committed.stateHash();
      expect(await target.installSnapshotChunks(arriving(source.snapshotChunks(5)), () => false)).toBe('refused');
      const cut = [...source.snapshotChunks(5)].slice(0, -1);
      await expect(target.installSnapshotChunks(arriving(cut), () => true)).rejects.toThrow(/ended early/);
      expect(target.committed.stateHash()).toBe(before);
      expect(target.inTransaction).toBe(false);
    } finally {
      source.close();
      target.close();
    }
  });
});
