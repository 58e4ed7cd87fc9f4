// Prints the schema the code builds to schema/schema.graphql; with --check,
// fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema } from './index.ts';

export const SCHEMA_FILE = fileURLToPath(new URL('./schema.graphql', import.meta.url));

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {
      // missing counts as different
    }
    if (committed !== printedSchema()) {
      process.stderr.write('schema/schema.graphql is out of date: run `npm run schema` and commit it.\n');
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, printedSchema());
  }
}
