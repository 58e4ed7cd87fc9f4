// A worker thread of `stockChanged` subscribers for the subscribers benchmark:
// its own event loop, so the messages it receives do not delay the load
// generator's requests in the main thread (the CPUs are still shared, as the
// report says). Asked with 'count', it answers how many `next` messages came.
import { parentPort, workerData } from 'node:worker_threads';
import WebSocket from 'ws';

const { url, connections, perConnection, query } = workerData as { url: string; connections: number; perConnection: number; query: string };
let received = 0;
const sockets: WebSocket[] = [];

async function open(): Promise<void> {
  let opening: Promise<void>[] = [];
  for (let c = 0; c < connections; c++) {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    sockets.push(socket);
    opening.push(
      new Promise((resolve, reject) => {
        socket.once('error', reject);
        socket.on('message', (data: Buffer) => {
          // Counted without parsing: the subscribers must not be what is slow.
          if (data.includes('"type":"next"')) received++;
          else if (data.includes('"type":"connection_ack"')) {
            for (let s = 0; s < perConnection; s++) socket.send(JSON.stringify({ id: String(s), type: 'subscribe', payload: { query } }));
            resolve();
          }
        });
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      }),
    );
    // A few hundred handshakes at a time, not thousands at once.
    if (opening.length === 200) {
      await Promise.all(opening);
      opening = [];
    }
  }
  await Promise.all(opening);
}

parentPort?.on('message', (message: string) => {
  if (message === 'count') parentPort?.postMessage({ received });
  if (message === 'close') {
    for (const socket of sockets) socket.terminate();
    parentPort?.postMessage({ closed: true });
  }
});
open().then(
  () => parentPort?.postMessage({ opened: true }),
  (error: unknown) => parentPort?.postMessage({ failed: String(error) }),
);
