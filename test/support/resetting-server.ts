/**
 * A loopback TCP server that reads each request's head, then resets the connection: what a dropped
 * connection looks like to a client. Tests of calls that must not be retried count its requests.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A server that reads each request line, then resets the connection: what a dropped connection looks like. */
export async function startResettingServer(): Promise<{ url: string; requests: () => string[]; close: () => Promise<void> }> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      lines.push(head.slice(0, head.indexOf('\r\n')).replace(/ HTTP\/1\.1$/, ''));
      head = '';
      socket.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...lines],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
