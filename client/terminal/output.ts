// What the terminal client prints, and how: plain lines on stdout, coloured
// only on a terminal that wants colour (https://no-color.org).
import { stripVTControlCharacters, styleText } from 'node:util';
import type { ContactDetailsInput, OrderFieldsFragment, OrderQuoteQuery } from '../gql/graphql.js';

const colour = Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env);
const paint = (format: Parameters<typeof styleText>[0]) => (text: string) => (colour ? styleText(format, text) : text);

export const bold = paint('bold');
export const dim = paint('dim');
export const good = (text: string) => `${paint('green')('✓')} ${text}`;
export const bad = (text: string) => `${paint('red')('✗')} ${text}`;
/** A prompt's answer once given, as the prompts show it. */
export const answer = paint('cyan');
/** Text prompts show a refused answer's reason as every other problem is shown. */
export const INPUT_THEME = { style: { error: bad } };

export function say(...lines: string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}


export function detailsBlock(details: ContactDetailsInput): string[] {
  return table([
    ['Name', `${details.firstName} ${details.lastName}`],
    ['Phone', details.phone],
    ['Postcode', details.postcode],
    ['Address', details.address],
  ]).map((line) => `  ${line}`);
}

type Quote = NonNullable<OrderQuoteQuery['orderQuote']['quote']>;

/** A cart or a whole order: one row per line, then the sums the API worked out (and, for a cancelled order, what was given back). */
export function costBlock(quote: Quote | OrderFieldsFragment, options: { delivery?: string; tip?: boolean; refunded?: boolean } = {}): string[] {
  const rows: string[][] = quote.lines.map((line) => [`${line.quantity} × ${line.productName}`, dim(`at ${line.unitPrice.formatted}`), line.lineTotal.formatted]);
  rows.push(['Subtotal', '', quote.subtotal.formatted]);
  if (options.delivery !== undefined) rows.push([options.delivery, '', quote.deliveryCost.formatted]);
  if (options.tip) rows.push(['Tip', '', quote.tip.formatted]);
  if (options.delivery !== undefined) rows.push([bold('Total'), '', bold(quote.total.formatted)]);
  // Cancelling an order gives back all it cost.
  if (options.refunded) rows.push(['Refunded', '', quote.total.formatted]);
  return table(rows, [false, false, true]).map((line) => `  ${line}`);
}

export function orderBlock(order: OrderFieldsFragment): string[] {
  const when = (at: string) => new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  const status = order.active ? paint('green')(order.status) : dim(order.status);
  // When the order was placed and, once it has moved on, when it reached its status.
  const last = order.timeline.at(-1);
  const moved = last && last.status !== 'PLACED' ? ` · ${dim(`${last.status.toLowerCase().replaceAll('_', ' ')} ${when(last.at)}`)}` : '';
  return [`${bold(`Order #${order.id}`)} · ${status} · ${order.deliveryOption.name} · ${dim(`placed ${when(order.createdAt)}`)}${moved}`, ...costBlock(order, { delivery: order.deliveryOption.name, tip: true, refunded: order.status === 'CANCELLED' })];
}

export function orderSummary(order: OrderFieldsFragment): string {
  return `#${order.id}  ${order.lines.map((line) => `${line.quantity} × ${line.productName}`).join(', ')} · ${order.deliveryOption.name} · ${order.total.formatted}`;
}

/** Columns padded to their widest cell (right-aligned where asked), ignoring colour codes. */
export function table(rows: string[][], alignRight: boolean[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const padding = ' '.repeat((widths[i] ?? 0) - visibleLength(cell));
        return alignRight[i] ? padding + cell : cell + padding;
      })
      .join('  ')
      .trimEnd(),
  );
}

function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}
