// A stand-in for postcodes.io: a real HTTP server on 127.0.0.1 whose answers
// come from msw handlers, so the gateway process calls it like the real API.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RequestHandler, HttpResponse, delay, getResponse, http } from 'msw';

export const KNOWN_POSTCODES = new Set(['SW1A 1AA', 'EC1A 1BB', 'M1 1AE', 'B33 8TH', 'CR2 6XH', 'DN55 1PT']);

export type MockMode = 'normal' | 'error500' | 'slow' | 'flaky';

export interface PostcodesMock {
  url: string;
  setMode(mode: MockMode): void;
  requests(): number;
  close(): Promise<void>;
}

export async function startPostcodesMock(): Promise<PostcodesMock> {
  let mode: MockMode = 'normal';
  let count = 0;
  const handler = http.get('*/postcodes/:postcode/validate', async ({ params }) => {
    count++;
    if (mode === 'error500' || (mode === 'flaky' && count % 2 === 1)) return HttpResponse.json({ status: 500, error: 'boom' }, { status: 500 });
    if (mode === 'slow') await delay(10_000);
    const postcode = decodeURIComponent(String(params.postcode)).toUpperCase();
    return HttpResponse.json({ status: 200, result: KNOWN_POSTCODES.has(postcode) });
  });
  const server = createServer((req, res) => void answer([handler], req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setMode: (next) => {
      mode = next;
      count = 0;
    },
    requests: () => count,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Hands a node request to the msw handlers and writes their answer back. */
async function answer(handlers: RequestHandler[], req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = new Request(new URL(req.url ?? '/', 'http://127.0.0.1'), { method: req.method });
  const response = await getResponse(handlers, request);
  if (!response) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}
