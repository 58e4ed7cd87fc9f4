// Stored orders for the growth benchmark, written offline through the
// replicas' own code: every command runs the primary's business rules
// (`execute`) and is appended to the log by `Store.append`, exactly as in a
// primary's round, minus the shipping. Every replica then starts from a byte
// copy of the same file, as if it had applied the same history. Through
// GraphQL a million orders would take the better part of an hour here.
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execute } from '../replicas/domain/commands.ts';
import type { Catalog } from '../replicas/domain/types.ts';
import type { Command } from '../replicas/protocol.ts';
import { Store } from '../replicas/store.ts';

/** Commands per SQLite transaction while seeding. */
const SEED_BATCH_OPS = 10_000;
/** The epoch the seeded history is written in (the first view's). */
const SEED_EPOCH = 1;

export class Seeder {
  private readonly customerIds: string[] = [];
  private ordersPlaced = 0;

  private constructor(readonly file: string) {}

  /** A fresh file with the catalogue and `customers` customers. */
  static create(file: string, catalog: Catalog, customers: number): Seeder {
    if (existsSync(file)) throw new Error(`${file} exists already`);
    const seeder = new Seeder(file);
    seeder.withStore((run) => {
      run({ type: 'loadCatalog', ...catalog });
      for (let i = 0; i < customers; i++) {
        const value = run({
          type: 'createCustomer',
          tokenHash: i.toString(16).padStart(64, '0'),
          details: { firstName: 'Seed', lastName: `Customer ${i}`, phone: '020 7946 0018', postcode: 'SW1A 1AA', address: `${i} Seed Street, London` },
        });
        seeder.customerIds.push(idOf(value));
      }
    });
    return seeder;
  }

  get orders(): number {
    return this.ordersPlaced;
  }

  /** Places orders (one to three lines each, spread over the customers) until `total` are stored. */
  growTo(total: number, catalog: Catalog): void {
    const products = catalog.products.map((p) => p.id);
    const options = catalog.deliveryOptions.map((d) => d.id);
    this.withStore((run) => {
      for (let n = this.ordersPlaced; n < total; n++) {
        const lines = Array.from({ length: 1 + (n % 3) }, (_, j) => ({ productId: products[(n + j * 7) % products.length] ?? '', quantity: 1 + (n % 2) }));
        run({
          type: 'placeOrder',
          customerId: this.customerIds[n % this.customerIds.length] ?? '',
          idempotencyKey: `seed-${n}`,
          lines,
          deliveryOptionId: options[n % options.length] ?? '',
          tipMinorUnits: n % 5 === 0 ? 150 : null,
        });
        this.ordersPlaced = n + 1;
      }
    });
  }

  /** A byte copy of the seeded file as it is now. */
  copy(to: string): void {
    copyFileSync(this.file, to);
  }

  /** Opens the file, runs commands in batches of transactions, and closes it (checkpointing the WAL into the file). */
  private withStore(work: (run: (command: Command) => unknown) => void): void {
    const store = Store.open(this.file);
    let inBatch = 0;
    const run = (command: Command): unknown => {
      if (!store.inTransaction) store.begin();
      const seq = store.head.seq + 1;
      const { outcome, effect } = execute(command, store, new Date());
      if (!outcome.ok) throw new Error(`seeding ${command.type} failed: ${JSON.stringify(outcome.errors)}`);
      if (effect) store.append(SEED_EPOCH, `seed.${seq}`, effect);
      if (++inBatch >= SEED_BATCH_OPS) {
        store.commit();
        inBatch = 0;
      }
      return outcome.value;
    };
    try {
      work(run);
      if (store.inTransaction) store.commit();
    } finally {
      store.rollback();
      store.close();
    }
    if (existsSync(`${this.file}-wal`) && statSync(`${this.file}-wal`).size > 0) throw new Error(`${this.file}: the WAL was not checkpointed on close`);
  }
}

function idOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') return value.id;
  throw new Error(`seeding: no id in ${JSON.stringify(value)}`);
}

/** Byte copies of a seeded file as the named replicas' files under `dataDir`. */
export function installSeed(file: string, dataDir: string, names: string[]): void {
  const dir = join(dataDir, 'replicas');
  mkdirSync(dir, { recursive: true });
  for (const name of names) copyFileSync(file, join(dir, `${name}.db`));
}
