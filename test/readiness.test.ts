// Readiness means ready: /readyz and `cluster { writable }` say yes only once
// the cluster can take an order, i.e. a writable view of the minimum size and
// the catalogue in place. A load balancer that gates on /readyz never sends a
// customer to an empty menu, from the first instant of a fresh cluster.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Heartbeat, View } from '../replicas/protocol.ts';
import { ViewService } from '../server/view-service.ts';
import { TestCluster, waitFor } from './helpers/cluster.ts';

/** Generous: on a loaded machine the processes take long to start, and this is no speed test. */
const READY_WAIT_MS = 90_000;
const CATALOGUE_NOT_LOADED = /the catalogue is not loaded yet/;

/** One look at the cluster as a client sees it: what it said about readiness, and the menu right after. */
interface Sample {
  ready: boolean;
  reason: string | null;
  /** Products and delivery options served just after a "ready"; null when not asked or not answered. */
  menu: { products: number; deliveryOptions: number } | null;
}

const MENU = '{ products { id } deliveryOptions { id } }';

async function menuOf(cluster: TestCluster): Promise<Sample['menu']> {
  const answer = await cluster.gql<{ products: unknown[]; deliveryOptions: unknown[] }>(MENU);
  return answer.data ? { products: answer.data.products.length, deliveryOptions: answer.data.deliveryOptions.length } : null;
}

/** Asks /readyz as fast as it answers until it says 200, and then asks for the menu, as a load balancer's next customer would. */
async function pollReadyz(cluster: TestCluster): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = Date.now() + READY_WAIT_MS;
  while (Date.now() < deadline) {
    const response = await fetch(`${cluster.gatewayUrl}/readyz`);
    const body = (await response.json()) as { writable: boolean; reason: string | null };
    expect(body.writable).toBe(response.status === 200);
    if (response.status === 200) {
      samples.push({ ready: true, reason: body.reason, menu: await menuOf(cluster) });
      return samples;
    }
    expect(response.status).toBe(503);
    samples.push({ ready: false, reason: body.reason, menu: null });
  }
  throw new Error(`/readyz did not say ready within ${READY_WAIT_MS / 1000} s; last said ${JSON.stringify(samples.at(-1))}\n${cluster.dump()}`);
}

/** Asks `cluster { writable }` and the menu in one query, as fast as it answers, until it says writable. */
async function pollClusterQuery(cluster: TestCluster): Promise<Sample[]> {
  const samples: Sample[] = [];
  const deadline = Date.now() + READY_WAIT_MS;
  while (Date.now() < deadline) {
    // `cluster` is resolved before the menu is read from the primary: a "writable" here is older than the menu beside it.
    const answer = await cluster.gql<{ cluster: { writable: boolean; unwritableReason: string | null }; products: unknown[]; deliveryOptions: unknown[] }>(
      `{ cluster { writable unwritableReason } ${MENU.slice(1, -1)} }`,
    );
    // No data: the menu could not be read (no primary yet), so the answer said nothing about readiness.
    if (!answer.data) continue;
    const { cluster: info, products, deliveryOptions } = answer.data;
    samples.push({ ready: info.writable, reason: info.unwritableReason, menu: { products: products.length, deliveryOptions: deliveryOptions.length } });
    if (info.writable) return samples;
  }
  throw new Error(`cluster.writable did not become true within ${READY_WAIT_MS / 1000} s; last said ${JSON.stringify(samples.at(-1))}\n${cluster.dump()}`);
}

function expectReadyOnlyWithAMenu(samples: Sample[]): void {
  // What it said on the way, for the reader of a failure.
  const said = samples.map((s) => s.reason ?? 'ready').filter((reason, i, all) => reason !== all[i - 1]);
  const readyWithoutMenu = samples.filter((s) => s.ready && !(s.menu && s.menu.products > 0 && s.menu.deliveryOptions > 0));
  expect(readyWithoutMenu, `said: ${said.join(' -> ')}`).toEqual([]);
  expect(samples.filter((s) => !s.ready && s.reason === null)).toEqual([]);
  expect(samples.at(-1)?.ready).toBe(true);
}

describe('readiness (processes)', () => {
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await cluster?.close();
    cluster = undefined;
  });

  it('never says ready while the menu is empty, polled from the first instant of a fresh cluster, and does become ready', { timeout: 2 * READY_WAIT_MS }, async () => {
    const running = (cluster = new TestCluster({ replicas: 3 }));
    await running.startGateway();
    const first = await fetch(`${running.gatewayUrl}/readyz`);
    expect(first.status).toBe(503);

    const polls = Promise.all([pollReadyz(running), pollClusterQuery(running)]);
    for (const name of ['1', '2', '3']) running.startReplica(name);
    const [readyz, query] = await polls;

    expectReadyOnlyWithAMenu(readyz);
    expectReadyOnlyWithAMenu(query);
  });

  it('says ready again after a gateway restart once its loading write finds the catalogue in place, without loading it twice', { timeout: 2 * READY_WAIT_MS }, async () => {
    const running = (cluster = await TestCluster.start({ replicas: 2 }));
    const before = await running.waitForConvergence(2);

    await running.kill('gateway');
    await running.startGateway();
    const readyz = await pollReadyz(running);

    expectReadyOnlyWithAMenu(readyz);
    // The loading write found the catalogue there (the primary's dedupe table answers it): no new entry on any replica.
    expect(await running.waitForConvergence(2)).toEqual(before);
    expect(running.logs.get('gateway')?.filter((line) => line.includes('catalogue in place'))).toHaveLength(2);
  });
});

describe('readiness (the view service)', () => {
  it('says a writable view without the catalogue is not ready, and tells the cluster feed when the catalogue arrives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jh-readiness-'));
    const views = new ViewService({ viewFile: join(dir, 'view.json'), secret: 'test', heartbeatMs: 50, suspectMs: 250, minReplicas: 2, log: pino({ level: 'silent' }) });
    const beat = (name: string): Heartbeat => {
      const view = views.current();
      return {
        name,
        // Nothing listens there: the view service's pushes fail at once, and its heartbeats decide.
        url: 'http://127.0.0.1:9',
        incarnation: `${name}-1`,
        storeId: `store-${name}`,
        committedSeq: 0,
        canWrite: true,
        role: view.primary === name ? 'PRIMARY' : 'BACKUP',
        view,
        position: { seq: 0, hash: 'h0' },
      };
    };
    const beating = setInterval(() => ['a', 'b'].forEach((name) => views.heartbeat(beat(name))), 50);
    views.start();
    try {
      // Before the view can take writes, its reason comes first: the catalogue waits on it.
      expect(views.cluster()).toMatchObject({ writable: false, unwritableReason: views.unwritableReason() });
      expect(views.unwritableReason()).not.toBeNull();
      const primary = await waitFor('a primary', () => views.current().primary);
      expect(views.addBackup(views.current().epoch, primary, primary === 'a' ? 'b' : 'a')).not.toBeNull();

      // The view alone could take writes (the router sends the catalogue's write), but no order can be taken.
      expect(views.unwritableReason()).toBeNull();
      expect(views.notReadyReason()).toMatch(CATALOGUE_NOT_LOADED);
      expect(views.cluster()).toMatchObject({ writable: false, unwritableReason: expect.stringMatching(CATALOGUE_NOT_LOADED) });

      const published: View[] = [];
      views.on('view', (view) => published.push(view));
      views.catalogueInPlace();
      expect(views.notReadyReason()).toBeNull();
      expect(views.cluster()).toMatchObject({ writable: true, unwritableReason: null });
      expect(published).toEqual([views.current()]);
      views.catalogueInPlace();
      expect(published).toHaveLength(1);
    } finally {
      clearInterval(beating);
      views.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
