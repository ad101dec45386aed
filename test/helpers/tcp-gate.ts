/**
 * A loopback port a test owns from bind to close: until `open(port)` every connection is cut at
 * once (a Genesys "not there yet"), afterwards each connection is piped to the target port. No
 * "find a free port, release it, bind it again" race with the other tests on the machine.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpGate {
  readonly port: number;
  /** From now on, pipe new connections to 127.0.0.1:targetPort. */
  open(targetPort: number): void;
  close(): Promise<void>;
}

export async function startTcpGate(): Promise<TcpGate> {
  let target: number | undefined;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (target === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect(target, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the gate has no port');
  return {
    port: address.port,
    open(targetPort) {
      target = targetPort;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => { resolve(); }));
    },
  };
}
