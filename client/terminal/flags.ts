// The `just-hungry order` flags, parsed and checked once here. Kept apart from
// the client itself so that cli/main.ts can register the command without
// loading the prompt library into every gateway and replica process.
import { type Command, InvalidArgumentError, Option } from 'commander';
import envPaths from 'env-paths';

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';
/** Like the original user.py: try again every 5 s, 5 times, before giving up. */
export const RETRY_INTERVAL_MS = 5_000;
export const RETRIES = 5;

export interface OrderFlags {
  url: string;
  configDir: string;
  forget?: boolean;
  history?: boolean;
  json?: boolean;
  watch?: string;
  retryIntervalMs: number;
}

function graphqlUrl(value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected the http(s) URL of the GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidArgumentError('expected an http(s) URL.');
  return parsed.href.replace(/\/+$/, '');
}

function orderId(value: string): string {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('expected an order number, e.g. 12 (your history lists them).');
  return value;
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 600_000) throw new InvalidArgumentError('expected a whole number of milliseconds from 1 to 600000.');
  return n;
}

export function orderOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'the GraphQL endpoint of the gateway').argParser(graphqlUrl).env('JH_URL').default(DEFAULT_URL))
    .addOption(new Option('--history', 'print your order history and exit (no prompts)'))
    .addOption(new Option('--json', 'with --history: print the orders as JSON, for scripts'))
    .addOption(new Option('--forget', 'forget the customer saved for this gateway, then exit').conflicts(['history', 'json']))
    .addOption(new Option('--watch <id>', 'follow one of your orders live until it is delivered, collected, rejected or cancelled').argParser(orderId).conflicts(['history', 'json', 'forget']))
    .addOption(
      new Option('--config-dir <dir>', 'where the customer token is kept').env('JH_CONFIG_DIR').default(envPaths('just-hungry', { suffix: '' }).config, "the user's config directory"),
    )
    // For tests: the real wait is the original client's 5 s.
    .addOption(new Option('--retry-interval-ms <ms>').argParser(milliseconds).env('JH_RETRY_INTERVAL_MS').default(RETRY_INTERVAL_MS).hideHelp());
}
