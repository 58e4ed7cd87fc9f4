// `just-hungry order`: the terminal client. Interactive by default (a menu,
// as the original user.py had); `--history [--json]` and `--forget` do one
// thing and exit, for scripts.
import { InvalidArgumentError } from 'commander';
import { select } from '@inquirer/prompts';
import { type RetryNotice, GatewayError, GatewayUnreachable, createApi } from './api.js';
import { savedCustomer } from './contact.js';
import { CredentialStore } from './credentials.js';
import { type OrderFlags, RETRIES } from './flags.js';
import { createOrder } from './new-order.js';
import { allOrders, cancelOrder, historyJson, showHistory } from './orders.js';
import { bad, bold, dim, say } from './output.js';
import { Session } from './session.js';

export type { OrderFlags } from './flags.js';

/** Exit code after Ctrl-C, as a shell reports a process stopped by SIGINT (128 + 2). */
export const EXIT_INTERRUPTED = 130;

export async function runOrder(flags: OrderFlags): Promise<void> {
  if (flags.json && !flags.history) throw new InvalidArgumentError('--json goes with --history (just-hungry order --history --json).');
  const warn = (message: string) => process.stderr.write(`${message}\n`);
  const store = new CredentialStore(flags.configDir, warn);
  if (flags.forget) {
    say(store.forget(flags.url) ? `Forgot the customer saved for ${flags.url}.` : `No customer was saved for ${flags.url}.`);
    return;
  }
  const session = new Session(flags.url, store, (token) =>
    createApi({ url: flags.url, retries: RETRIES, retryIntervalMs: flags.retryIntervalMs, token, onRetry: (notice) => warn(retryMessage(notice)) }),
  );
  if (flags.history) return printHistory(session, Boolean(flags.json));
  if (flags.watch) {
    const { watchOrder } = await import('./watch.js');
    return watchOrder(session, flags.watch);
  }
  if (!process.stdin.isTTY) throw new Error('the order menu needs a terminal. For scripts: just-hungry order --history --json.');
  await interactive(session);
}

function retryMessage({ url, reason, retry, retries, waitMs }: RetryNotice): string {
  const wait = waitMs >= 1000 ? `${waitMs / 1000} s` : `${waitMs} ms`;
  return `Cannot reach the gateway at ${url} (${reason}); trying again in ${wait} (retry ${retry} of ${retries})...`;
}

async function printHistory(session: Session, json: boolean): Promise<void> {
  const orders = await allOrders(session);
  if (!orders) throw new Error(`No customer is saved for ${session.url}: place an order first (just-hungry order).`);
  if (json) {
    process.stdout.write(historyJson(orders));
    return;
  }
  await showHistory(session);
}

async function interactive(session: Session): Promise<void> {
  // Ctrl-C at a prompt ends that prompt (ExitPromptError); between prompts (a
  // request in flight) it is a signal. Either way: a clean goodbye.
  const goodbye = () => {
    say('', 'Bye.');
    process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', goodbye);
  try {
    say(`${bold('Just Hungry')} ${dim(`at ${session.url}`)}`);
    // Reaching the gateway at once (retrying if need be) beats failing at the first choice.
    const customer = await savedCustomer(session);
    if (customer) say(`Welcome back, ${customer.firstName}.`);
    await menu(session);
    say('Bye.');
  } catch (error) {
    if (error instanceof Error && error.name === 'ExitPromptError') goodbye();
    throw error;
  } finally {
    process.off('SIGINT', goodbye);
  }
}

const ACTIONS = {
  order: createOrder,
  history: showHistory,
  cancel: cancelOrder,
} as const;

async function menu(session: Session): Promise<void> {
  for (;;) {
    say('');
    const action = await select<keyof typeof ACTIONS | 'exit'>({
      message: 'What would you like to do?',
      choices: [
        { name: 'Create a new order', value: 'order' },
        { name: 'View order history', value: 'history' },
        { name: 'Cancel an order', value: 'cancel' },
        { name: 'Exit', value: 'exit' },
      ],
      theme: { indexMode: 'number' },
    });
    if (action === 'exit') return;
    try {
      await ACTIONS[action](session);
    } catch (error) {
      // The gateway refused one request, or was lost even after the retries:
      // say so and let the customer carry on (or exit) from the menu.
      if (!(error instanceof GatewayError || error instanceof GatewayUnreachable)) throw error;
      say(bad(error.message));
    }
  }
}
