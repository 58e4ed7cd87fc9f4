// Dependencies run one way: clients know only the GraphQL API, the schema owns
// the services interface the gateway implements, the gateway takes from the
// replicas only what crosses the wire (protocol, HTTP helpers, domain rules,
// the pure core), and nothing that ships or tools imports from test/.
// dependency-cruiser reads the real import graph, type-only imports included.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ICruiseResult, type IForbiddenRuleType, cruise } from 'dependency-cruiser';
import { satisfies, subset } from 'semver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The replica modules the gateway may use; not the store (SQLite), the write path, catch-up or the replica process. */
const GATEWAY_MAY_USE = '^replicas/(protocol|http|hash-chain|sleep|cluster-secret|private-files|fatal)[.]ts$|^replicas/(domain|core)/';

const RULES: IForbiddenRuleType[] = [
  {
    name: 'client-uses-only-the-api',
    comment: 'clients talk to the gateway over GraphQL; they import nothing of the gateway or the replicas',
    severity: 'error',
    from: { path: '^client/' },
    to: { path: '^(server|replicas)/' },
  },
  {
    name: 'schema-owns-its-services',
    comment: 'the schema declares the services it needs (schema/services.ts); the gateway implements them',
    severity: 'error',
    from: { path: '^schema/' },
    to: { path: '^server/' },
  },
  {
    name: 'gateway-keeps-out-of-replica-internals',
    comment: 'the gateway takes the wire protocol, peer HTTP helpers, the secret and private-file helpers, domain rules and the pure core, nothing else',
    severity: 'error',
    from: { path: '^server/' },
    to: { path: '^replicas/', pathNot: GATEWAY_MAY_USE },
  },
  {
    name: 'nothing-imports-tests',
    comment: 'test/ depends on the code, never the other way; code shared with tools lives outside test/',
    severity: 'error',
    from: { path: '^(chaos|bench|cli|replicas|server|schema|client)/' },
    to: { path: '^test/' },
  },
  {
    name: 'replicas-know-nothing-above',
    comment: 'the replicas are the bottom layer: no gateway, schema or client',
    severity: 'error',
    from: { path: '^replicas/' },
    to: { path: '^(server|schema|client)/' },
  },
  {
    name: 'core-is-pure',
    comment: 'the protocol core does no I/O: no node builtins, no SQLite; time, storage and transport come in from its callers',
    severity: 'error',
    from: { path: '^replicas/core/' },
    to: { dependencyTypes: ['core'] },
  },
  {
    name: 'core-needs-no-adapters',
    comment: 'the core imports only the wire shapes, the domain and itself',
    severity: 'error',
    from: { path: '^replicas/core/' },
    to: { path: '^replicas/', pathNot: '^replicas/(protocol[.]ts|domain/|core/)' },
  },
  {
    name: 'local-imports-resolve',
    comment: 'an import the cruiser cannot follow is an edge it cannot check',
    severity: 'error',
    from: {},
    to: { couldNotResolve: true, path: '^[.]' },
  },
];

async function cruiseTree(baseDir: string): Promise<ICruiseResult> {
  const { output } = await cruise(['.'], {
    baseDir,
    validate: true,
    ruleSet: { forbidden: RULES },
    // `import type` and `import('...')` in a type are dependencies too.
    tsPreCompilationDeps: true,
    exclude: { path: '(^|/)(node_modules|dist|test-results)/' },
  });
  if (typeof output === 'string') throw new Error(`dependency-cruiser answered text, not a result: ${output.slice(0, 200)}`);
  return output;
}

/** Each violation as a readable `from -> to (rule)` line. */
function violations(result: ICruiseResult): string[] {
  return result.summary.violations.map((v) => `${v.from} -> ${v.to} (${v.rule.name})`).sort();
}

describe('the dependency rules', () => {
  let repo: ICruiseResult;
  beforeAll(async () => {
    repo = await cruiseTree(ROOT);
  });

  it('hold over the real import graph', () => {
    expect(violations(repo)).toEqual([]);
  });

  it('are checked over the whole tree, type-only imports included', () => {
    const edges = new Set(repo.modules.flatMap((m) => m.dependencies.map((d) => `${m.source} -> ${d.resolved}`)));
    // Known edges of each kind: a value import, a type-only import, a tool's
    // import, and a client's `.js` specifier that names a .ts file.
    for (const edge of [
      'server/router.ts -> replicas/sleep.ts',
      'server/feeds.ts -> schema/services.ts',
      'schema/builder.ts -> schema/services.ts',
      'chaos/harness.ts -> cli/wait.ts',
      'bench/seed.ts -> replicas/store.ts',
      'client/terminal/contact.ts -> client/operations.ts',
    ]) {
      expect(edges, edge).toContain(edge);
    }
  });

  describe('against a tree that breaks each of them', () => {
    let tree: string;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(tree, path)), { recursive: true });
      writeFileSync(join(tree, path), text);
    };

    beforeAll(() => {
      tree = mkdtempSync(join(tmpdir(), 'jh-deps-'));
      write('client/app.ts', "import { startGateway } from '../server/gateway.ts';\nexport const start = startGateway;\n");
      write('client/hook.ts', "import type { Store } from '../replicas/store.ts';\nexport type S = Store;\n");
      write('schema/builder.ts', "export type Services = import('../server/services.ts').Services;\n");
      write(
        'server/router.ts',
        "import { sleep } from '../replicas/primary.ts';\nimport { ok } from '../replicas/protocol.ts';\nexport const pause = [sleep, ok];\n",
      );
      write('chaos/harness.ts', "import { waitFor } from '../test/helpers/wait.ts';\nexport const wait = waitFor;\n");
      write('replicas/store.ts', "export class Store {}\nexport async function load() {\n  return import('../server/gateway.ts');\n}\n");
      write('server/gateway.ts', 'export function startGateway() {}\n');
      write('server/services.ts', 'export interface Services { name: string }\n');
      write('replicas/primary.ts', 'export const sleep = 1;\n');
      write('replicas/protocol.ts', 'export const ok = 1;\n');
      write('test/helpers/wait.ts', 'export const waitFor = 1;\n');
      write('server/feeds.ts', "import { gone } from './moved.ts';\nexport const feeds = gone;\n");
      write('replicas/core/views.ts', "import { readFileSync } from 'node:fs';\nimport { Store } from '../store.ts';\nimport { ok } from '../protocol.ts';\nexport const views = [readFileSync, Store, ok];\n");
    });
    afterAll(() => rmSync(tree, { recursive: true, force: true }));

    it('reports every violating edge, and only those, as from -> to', async () => {
      expect(violations(await cruiseTree(tree))).toEqual([
        'chaos/harness.ts -> test/helpers/wait.ts (nothing-imports-tests)',
        'client/app.ts -> server/gateway.ts (client-uses-only-the-api)',
        'client/hook.ts -> replicas/store.ts (client-uses-only-the-api)',
        'replicas/core/views.ts -> fs (core-is-pure)',
        'replicas/core/views.ts -> replicas/store.ts (core-needs-no-adapters)',
        'replicas/store.ts -> server/gateway.ts (replicas-know-nothing-above)',
        'schema/builder.ts -> server/services.ts (schema-owns-its-services)',
        'server/feeds.ts -> ./moved.ts (local-imports-resolve)',
        'server/router.ts -> replicas/primary.ts (gateway-keeps-out-of-replica-internals)',
      ]);
    });
  });
});

// Every package installed supports every Node the project says it runs on
// (package.json's engines), so `npm install` has no engine to warn about.
describe('the Node versions the project declares', () => {
  const root = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8'));

  /** Installed packages whose own engines leave out some Node the project declares. */
  function unsupported(declared: string, packages: Record<string, { engines?: { node?: string } }>): string[] {
    return Object.entries(packages)
      .filter(([path, entry]) => path !== '' && entry.engines?.node && !subset(declared, entry.engines.node))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} wants ${entry.engines?.node}`);
  }

  it('are supported by every package in the lock file, and include the Node running the tests', () => {
    const declared: string = root('package.json').engines.node;
    expect(satisfies(process.version, declared)).toBe(true);
    expect(unsupported(declared, root('package-lock.json').packages)).toEqual([]);
  });

  it('catch a package that wants a newer Node than declared', () => {
    const packages = { '': {}, 'node_modules/a': { engines: { node: '>=18' } }, 'node_modules/x/node_modules/b': { engines: { node: '>=22.15.0' } } };
    expect(unsupported('^20.19.0 || ^22.13.0', packages)).toEqual(['b wants >=22.15.0']);
  });
});
