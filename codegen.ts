// GraphQL Code Generator: typed documents for the clients, from the committed
// schema and the operations in client/. Run `npm run codegen`; `npm test`
// fails when client/gql/ is out of date.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['client/**/*.{ts,tsx}', '!client/gql/**'],
  ignoreNoDocuments: false,
  // Relative imports with .js, which NodeNext, tsx and Vite all resolve to the .ts files.
  emitLegacyCommonJSImports: false,
  generates: {
    'client/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { ID: 'string' },
      },
    },
  },
};

export default config;
