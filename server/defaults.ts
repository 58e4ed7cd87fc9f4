// Defaults of the gateway's flags that something besides the command line
// needs (the benchmark measures at them); no imports, so the CLI loads it at once.

/**
 * How many subscriptions to every stock change a gateway serves at once by
 * default (--every-stock-change-total): each costs a message per committed
 * change, and at this many they cost orders under a fifth of their
 * throughput on two cores (`npm run bench -- --only subscribers`).
 */
export const EVERY_STOCK_CHANGE_TOTAL = 16;
