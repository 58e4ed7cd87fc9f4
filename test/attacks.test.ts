// The holes an attack on the cluster found, each replayed with real processes
// as the attack made it: a wiped primary disk, a one-way link, a lone primary
// cut off from the view service, and a stalled or restarted view service.
// Every link runs through a fault-injecting proxy (the chaos harness's
// cluster), so a test can cut one direction of one link.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ChaosCluster, GATEWAY } from '../chaos/cluster.ts';
import { waitFor } from '../cli/wait.ts';
import { DETAILS, ORDER_FIELDS } from './helpers/shop.ts';

const CATALOG = fileURLToPath(new URL('../replicas/catalog.json', import.meta.url));

interface Gql<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** A cluster of three replicas behind proxies, and what a test needs to drive it. */
class Attacked {
  private constructor(
    readonly cluster: ChaosCluster,
    private readonly dataDir: string,
    /** Processes that exited without the test stopping them (a fatal invariant, a crash). */
    readonly crashes: string[],
  ) {}

  static async start(options: { suspectMs?: number } = {}): Promise<Attacked> {
    const dataDir = mkdtempSync(join(tmpdir(), 'jh-attack-'));
    const crashes: string[] = [];
    const cluster = await ChaosCluster.start({
      replicas: 3,
      dataDir,
      logDir: null,
      secret: randomBytes(24).toString('hex'),
      catalogFile: CATALOG,
      requestDeadlineMs: 20_000,
      ...options,
      onUnexpectedExit: (name, how) => crashes.push(`${name} exited on its own (${how})`),
    });
    const attacked = new Attacked(cluster, dataDir, crashes);
    await attacked.waitForWritable(3);
    await waitFor('the catalogue', async () => ((await attacked.gql<{ products: unknown[] }>('{ products { id } }')).data?.products.length ?? 0) > 0, 30_000);
    return attacked;
  }

  async gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Gql<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${this.cluster.gatewayUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as Gql<T>;
  }

  async waitForWritable(size: number, timeoutMs = 30_000) {
    return waitFor(`a writable view of ${size}`, async () => {
      const status = await this.cluster.status();
      return status.cluster.writable && 1 + status.view.backups.length === size ? status : null;
    }, timeoutMs);
  }

  async newCustomer(): Promise<string> {
    const response = await this.gql<{ saveContactDetails: { token: string | null } }>(
      'mutation($input: ContactDetailsInput!) { saveContactDetails(input: $input) { token errors { code message } } }',
      { input: DETAILS },
    );
    const token = response.data?.saveContactDetails.token;
    if (!token) throw new Error(`no token: ${JSON.stringify(response)}`);
    return token;
  }

  placeOrder(token: string, productId = 'margherita') {
    return this.gql<{ placeOrder: { order: { id: string } | null; errors: { code: string; message: string }[] } }>(
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { ${ORDER_FIELDS} } errors { code message } } }`,
      { input: { idempotencyKey: randomUUID(), lines: [{ productId, quantity: 1 }], deliveryOptionId: 'standard' } },
      token,
    );
  }

  /** Places `count` orders one after another; returns their ids (each must succeed). */
  async placeOrders(token: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await this.placeOrder(token);
      const order = response.data?.placeOrder.order;
      if (!order) throw new Error(`order ${i} failed: ${JSON.stringify(response)}`);
      ids.push(order.id);
    }
    return ids;
  }

  async orderIds(token: string): Promise<string[]> {
    const response = await this.gql<{ viewer: { orders: { edges: { node: { id: string } }[] } } | null }>(
      '{ viewer { orders(first: 100) { edges { node { id } } } } }',
      {},
      token,
    );
    if (!response.data?.viewer) throw new Error(`no orders: ${JSON.stringify(response)}\n${this.dump()}`);
    return response.data.viewer.orders.edges.map((e) => e.node.id);
  }

  async stock(): Promise<Map<string, number>> {
    const response = await this.gql<{ products: { id: string; stock: number }[] }>('{ products { id stock } }');
    if (!response.data) throw new Error(JSON.stringify(response));
    return new Map(response.data.products.map((p) => [p.id, p.stock]));
  }

  /** Deletes a replica's SQLite file (and its WAL): a replaced disk. */
  wipe(name: string): void {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(this.dataDir, 'replicas', `${name}.db${suffix}`), { force: true });
  }

  async converged(): Promise<{ seq: number; stateHash: string }> {
    return waitFor('every replica to hold the same state', async () => {
      const hashes = await Promise.all(this.cluster.replicaNames.map((name) => this.cluster.stateHash(name)));
      const first = hashes[0];
      return first && hashes.every((h) => h.seq === first.seq && h.stateHash === first.stateHash) ? first : null;
    }, 30_000);
  }

  dump(): string {
    return Object.entries(this.cluster.recentLogs(Number(process.env.JH_DUMP_LINES ?? 40))).map(([name, lines]) => `--- ${name}\n${lines.join('\n')}`).join('\n');
  }

  async close(): Promise<void> {
    await this.cluster.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

let attacked: Attacked | null = null;
afterEach(async () => {
  await attacked?.close();
  attacked = null;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills every replica, wipes the primary's disk, and starts them again in `order` (the wiped one first, or all at once). */
async function wipePrimaryAndRestart(order: 'wiped-first' | 'together') {
  const a = (attacked = await Attacked.start());
  const token = await a.newCustomer();
  const before = await a.stock();
  const acked = await a.placeOrders(token, 8);
  const primary = (await a.cluster.status()).view.primary;
  if (!primary) throw new Error('no primary');
  const others = a.cluster.replicaNames.filter((name) => name !== primary);
  await Promise.all(a.cluster.replicaNames.map((name) => a.cluster.stop(name)));
  await waitFor('the view service to see the cluster down', async () => !(await a.cluster.status()).cluster.writable);
  a.wipe(primary);

  a.cluster.start(primary);
  if (order === 'wiped-first') {
    await waitFor('the wiped replica to register', async () => (await a.cluster.status()).cluster.replicas.some((r) => r.name === primary && r.role !== 'OFFLINE'));
    // Long enough for several decisions: none may make the empty replica the primary.
    await sleep(1500);
    const cluster = await a.gql<{ cluster: { writable: boolean; unwritableReason: string | null } }>('{ cluster { writable unwritableReason } }');
    expect(cluster.data?.cluster.writable, a.dump()).toBe(false);
    expect(cluster.data?.cluster.unwritableReason).toMatch(/holds every committed write/);
    const ready = await fetch(`${a.cluster.gatewayUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(/holds every committed write/);
    // An order now is refused with a clear error, and changes nothing.
    const refused = await a.placeOrder(token);
    expect(refused.data?.placeOrder.errors.map((e) => e.code)).toEqual(['SERVICE_UNAVAILABLE']);
  }
  for (const name of others) a.cluster.start(name);
  await a.waitForWritable(3);

  expect(new Set(await a.orderIds(token)), a.dump()).toEqual(new Set(acked));
  const after = await a.stock();
  expect(after.get('margherita')).toBe((before.get('margherita') ?? 0) - acked.length);
  // The wiped replica came back as a copy of the others.
  await a.converged();
  const more = await a.placeOrders(token, 2);
  expect(new Set(await a.orderIds(token))).toEqual(new Set([...acked, ...more]));
  expect(a.crashes).toEqual([]);
}

describe('attacks on the cluster', { timeout: 120_000 }, () => {
  it('keeps every order when the primary\'s disk is wiped and it restarts first: unwritable, and says why, until a replica with the data returns', async () => {
    await wipePrimaryAndRestart('wiped-first');
  });

  it('keeps every order when the primary\'s disk is wiped and all three restart together', async () => {
    await wipePrimaryAndRestart('together');
  });

  it('replaces a primary that answers no request while its heartbeats still arrive (a one-way link)', async () => {
    const a = (attacked = await Attacked.start());
    const token = await a.newCustomer();
    const acked = await a.placeOrders(token, 3);
    const primary = (await a.cluster.status()).view.primary;
    if (!primary) throw new Error('no primary');
    // The gateway's calls to the primary hang; the primary's heartbeats to the gateway pass.
    a.cluster.network.link(GATEWAY, primary).set({ kind: 'blackhole' });
    const started = Date.now();
    const response = await a.placeOrder(token);
    expect(response.data?.placeOrder.errors, a.dump()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
    const status = await a.cluster.status();
    expect(status.view.primary).not.toBe(primary);
    const order = response.data?.placeOrder.order;
    if (!order) throw new Error('no order');
    expect(new Set(await a.orderIds(token))).toEqual(new Set([...acked, order.id]));
  });

  it('forms a writable view from restarted backups when the lone primary cannot reach the view service', async () => {
    const a = (attacked = await Attacked.start());
    const token = await a.newCustomer();
    const acked = await a.placeOrders(token, 3);
    const primary = (await a.cluster.status()).view.primary;
    if (!primary) throw new Error('no primary');
    const backups = a.cluster.replicaNames.filter((name) => name !== primary);
    await Promise.all(backups.map((name) => a.cluster.stop(name)));
    await waitFor('a view of the primary alone', async () => (await a.cluster.status()).view.backups.length === 0);
    a.cluster.network.link(primary, GATEWAY).set({ kind: 'drop' });
    for (const name of backups) a.cluster.start(name);
    const status = await a.waitForWritable(2, 20_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${a.dump()}`);
    });
    expect(status.view.primary).not.toBe(primary);
    const more = await a.placeOrders(token, 2);
    expect(new Set(await a.orderIds(token))).toEqual(new Set([...acked, ...more]));
  });

  // Every link here runs through this test process's proxies, so a stall of this process on a loaded machine is
  // silence on every link at once: a suspicion period of 1 s (not 0.5) keeps that from passing for the replicas'.
  // The view service's own stalls are longer than it, and than two of it.
  const SUSPECT_MS = 1000;

  it('changes no view when the view service itself stalls (SIGSTOP of 1.5 s and 3 s, over its suspicion period) or restarts', async () => {
    const a = (attacked = await Attacked.start({ suspectMs: SUSPECT_MS }));
    const token = await a.newCustomer();
    await a.placeOrders(token, 2);
    const { epoch } = (await a.cluster.status()).view;
    for (const pauseMs of [1.5 * SUSPECT_MS, 3 * SUSPECT_MS]) {
      a.cluster.pause(GATEWAY);
      await sleep(pauseMs);
      a.cluster.resume(GATEWAY);
      await sleep(1500);
      const status = await a.cluster.status();
      expect({ pauseMs, epoch: status.view.epoch, backups: status.view.backups.length }, a.dump()).toEqual({ pauseMs, epoch, backups: 2 });
    }
    await a.cluster.stop(GATEWAY);
    a.cluster.start(GATEWAY);
    await a.waitForWritable(3);
    await sleep(1500);
    const status = await a.cluster.status();
    expect({ epoch: status.view.epoch, backups: status.view.backups.length }, a.dump()).toEqual({ epoch, backups: 2 });
    await a.placeOrders(token, 1);
  });
});
