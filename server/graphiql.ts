// GraphiQL at /graphql, served whole from the gateway: yoga's own page loads
// its scripts, styles and workers from a CDN, so on a machine without the
// internet it never starts. @graphql-yoga/render-graphiql inlines them all
// (about 9 MB), so the page is rendered once, on the first visit, and kept.
import type { GraphiQLOptions } from 'graphql-yoga';

/** What a visitor sees first: the menu with a quote, a live stock feed, and how to sign in. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: 'Just Hungry API',
  defaultTabs: [
    {
      query: `# The menu, the ways to get an order, and what two
# pizzas delivered with a tip would cost.
# Run it with the play button (or Ctrl-Enter).
query MenuAndQuote {
  products { id name price { formatted } stock }
  deliveryOptions { id name cost { formatted } }
  orderQuote(input: {
    lines: [{ productId: "margherita", quantity: 2 }]
    deliveryOptionId: "standard"
    tipMinorUnits: 150
  }) {
    errors { code message field }
    quote {
      subtotal { formatted }
      deliveryCost { formatted }
      tip { formatted }
      total { formatted }
    }
  }
}
`,
    },
    {
      query: `# The dishes whose stock orders took, in one
# event at most once a second. Order in the web
# app (/) and watch the levels fall.
subscription LiveStock {
  stockLevels(everyMs: 1000) { id name stock }
}
`,
    },
    {
      query: `# Your own orders. Sign up with saveContactDetails
# (it answers a token), then put this in Headers below:
# {"Authorization": "Bearer <token>"}
query MyOrders {
  viewer {
    firstName
    orders(first: 10) {
      edges { node { id status total { formatted } } }
    }
  }
}
`,
    },
  ],
};

let page: Promise<string> | null = null;

/** The page for yoga's `renderGraphiQL`: imported and rendered on the first visit only (the module is large). */
export function renderGraphiQLOffline(options: GraphiQLOptions): Promise<string> {
  page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
  return page;
}
