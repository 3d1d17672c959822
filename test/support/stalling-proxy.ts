/**
 * A loopback TCP proxy in front of a server (Redis, here) that can stall: while stalled it keeps
 * every connection open but holds the server's replies back, the way a Redis busy with a slow
 * script, or a congested network, looks to a client. Replies held are delivered on `resume`.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface StallingProxy {
  /** `redis://127.0.0.1:<port>`-style URL of the proxy, in the scheme given. */
  readonly url: string;
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

export async function startStallingProxy(targetPort: number, scheme = 'redis'): Promise<StallingProxy> {
  let stalled = false;
  const links: { client: Socket; held: Buffer[] }[] = [];
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    const link = { client, held: [] as Buffer[] };
    links.push(link);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => (stalled ? link.held.push(chunk) : client.write(chunk)));
    const end = () => {
      client.destroy();
      upstream.destroy();
      const index = links.indexOf(link);
      if (index >= 0) links.splice(index, 1);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    stall: () => void (stalled = true),
    resume() {
      stalled = false;
      for (const link of links) for (const chunk of link.held.splice(0)) link.client.write(chunk);
    },
    async close() {
      for (const link of [...links]) link.client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
