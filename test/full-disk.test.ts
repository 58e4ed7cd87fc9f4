// A replica whose disk fills up leaves the view (a primary steps down, a
// backup is dropped) and stays up; once there is room again it catches up and
// rejoins. Replayed on a real small disk: a tmpfs mounted for the test, which
// needs root (CI runs as root; elsewhere these tests are reported as skipped).
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestCluster, waitFor } from './helpers/cluster.ts';
import { allOrders, deepStockCatalog, newCustomer, orderingCustomers, stockLevels } from './helpers/shop.ts';

const DISK_MB = 16;

/** A tmpfs of a few MB that a test can fill to the last byte and free again. */
class SmallDisk {
  private constructor(readonly dir: string) {}

  static mount(): SmallDisk {
    const dir = mkdtempSync(join(tmpdir(), 'jh-small-disk-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MB}m`, 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) throw new Error(`could not mount a tmpfs at ${dir}: ${mounted.stderr}`);
    return new SmallDisk(dir);
  }

  private get filler(): string {
    return join(this.dir, 'filler');
  }

  /** Writes until the disk says it is full (ENOSPC), in smaller and smaller pieces. */
  fill(): void {
    for (const chunkBytes of [1 << 20, 1 << 14, 1 << 10]) {
      const chunk = Buffer.alloc(chunkBytes);
      try {
        for (;;) appendFileSync(this.filler, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  }

  free(): void {
    rmSync(this.filler, { force: true });
  }

  unmount(): void {
    spawnSync('umount', ['-l', this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const isRoot = process.getuid?.() === 0;

let cluster: TestCluster | null = null;
let disk: SmallDisk | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
  disk?.unmount();
  disk = null;
});

/** Fills `name`'s disk under load: it must leave the view, stay up, and rejoin once the disk is freed, losing nothing. */
async function fillAndFree(c: TestCluster, d: SmallDisk, name: string, wasPrimary: boolean) {
  const token = await newCustomer(c);
  const initial = (await stockLevels(c)).get('margherita') ?? 0;
  const load = orderingCustomers(c, [token], ['margherita']);
  try {
    await waitFor('a few orders', () => load.acked.length >= 5);
    d.fill();
    await waitFor(`${name} to leave the view`, async () => {
      const { view } = await c.status();
      return view.primary !== name && !view.backups.includes(name);
    }, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${c.dump(60)}`);
    });
    const process = c.processes.get(`replica ${name}`);
    expect(process?.exitCode, c.dump()).toBeNull();
    expect(process?.signalCode).toBeNull();
    expect(c.logs.get(`replica ${name}`)?.some((line) => line.includes('cannot write to the disk'))).toBe(true);
    const ackedWhileFull = load.acked.length;
    await waitFor('orders while the disk is full', () => load.acked.length >= ackedWhileFull + 5);
    d.free();
    await c.waitForView(3, 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${c.dump(60)}`);
    });
  } finally {
    await load.stop();
  }
  expect(load.failures).toEqual([]);
  await c.waitForConvergence(3);
  const stored = (await allOrders(c, token)).map((o) => o.id);
  expect(stored.sort()).toEqual(load.acked.map((a) => a.orderId).sort());
  expect((await stockLevels(c)).get('margherita')).toBe(initial - load.acked.length);
  if (wasPrimary) expect(await c.primary()).not.toBe(name);
}

describe.runIf(isRoot)('a full disk', { timeout: 120_000 }, () => {
  it('drops a backup whose disk is full, keeps taking orders, and takes it back once there is room', async () => {
    disk = SmallDisk.mount();
    const c = (cluster = new TestCluster({ gatewayArgs: ['--catalog', deepStockCatalog(['margherita'])] }));
    await c.startGateway();
    c.startReplica('1');
    c.startReplica('2');
    await c.waitForView(2);
    await c.waitForCatalog();
    c.startReplica('3', disk.dir);
    await c.waitForView(3);
    await fillAndFree(c, disk, '3', false);
  });

  it('makes a primary whose disk is full step down: another takes over, no order is lost, and it rejoins once there is room', async () => {
    disk = SmallDisk.mount();
    const c = (cluster = new TestCluster({ gatewayArgs: ['--catalog', deepStockCatalog(['margherita'])] }));
    await c.startGateway();
    c.startReplica('1', disk.dir);
    await waitFor('replica 1 to be primary', async () => (await c.status()).view.primary === '1', 30_000);
    c.startReplica('2');
    c.startReplica('3');
    await c.waitForView(3);
    await c.waitForCatalog();
    await fillAndFree(c, disk, '1', true);
  });
});
