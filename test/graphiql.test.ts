// GraphiQL at /graphql works with no internet: headless Chromium opens it
// with every request to anything but the gateway on 127.0.0.1 refused, runs
// the default query through the UI and sees its result. And the default
// tabs are valid against the schema, so a visitor's first click works.
import { parse, validate } from 'graphql';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../schema/index.ts';
import { GRAPHIQL_OPTIONS } from '../server/graphiql.ts';
import { InProcessCluster } from './helpers/in-process.ts';
import { waitFor } from './helpers/cluster.ts';
import { LAPTOP, launchBrowser, screenshot, visitor } from './web/browser.ts';

describe('GraphiQL', () => {
  it('opens with tabs whose queries the schema accepts', () => {
    const schema = buildSchema();
    const tabs = GRAPHIQL_OPTIONS.defaultTabs ?? [];
    expect(tabs.map((tab) => /^(query|subscription) (\w+)/m.exec(tab.query ?? '')?.[2])).toEqual(['MenuAndQuote', 'LiveStock', 'MyOrders']);
    for (const tab of tabs) expect(validate(schema, parse(tab.query ?? '')), tab.query ?? '').toEqual([]);
  });

  describe('in a browser with no internet', () => {
    let cluster: InProcessCluster;
    let browser: Browser;

    beforeAll(async () => {
      // One after the other, so that whichever started is stopped below if the other fails.
      browser = await launchBrowser();
      cluster = await InProcessCluster.start();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await cluster?.close();
    });

    it('loads from the gateway alone, runs the default query and shows its result', async () => {
      const { context, page, problems } = await visitor(browser, cluster.gatewayUrl, LAPTOP);
      const gateway = new URL(cluster.gatewayUrl).host;
      const refused: string[] = [];
      // Everything but the gateway itself is refused, as on a machine with no internet.
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'blob:' || url.protocol === 'data:' || url.host === gateway) return route.continue();
        refused.push(url.href);
        return route.abort('internetdisconnected');
      });
      try {
        await page.goto('/graphql', { waitUntil: 'load' });
        expect(await page.title()).toBe('Just Hungry API');
        const run = page.getByRole('button', { name: /Execute query/ });
        await run.waitFor();
        // The editors lay text out with no-break spaces.
        const text = async (selector: string) => (await page.locator(selector).innerText()).replace(/\u00a0/g, ' ');
        await waitFor('the default query in the editor', async () => (await text('.graphiql-query-editor')).includes('query MenuAndQuote'));
        await run.click();
        await waitFor('the query\'s result', async () => /"formatted": "£/.test(await text('.graphiql-response')));
        expect(await text('.graphiql-response')).toContain('"products"');
        await screenshot(page, 'graphiql');
        expect(refused).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  });
});
