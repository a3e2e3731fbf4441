import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * Sends a request written line by line over a plain TCP socket, so a test can send what an HTTP
 * client library would not (the same header twice), and reads the answer's status and body.
 */
export function rawRequest(port: number, lines: string[], timeoutMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms; got ${JSON.stringify(data.slice(0, 300))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => {
      data += c.toString();
      // A socket that opened stays open: its head is the whole answer.
      if (/^HTTP\/1\.1 101 /.test(data) && data.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = data.split('\r\n\r\n', 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** The request lines of a WebSocket upgrade to `path`, plus `extra` header lines. */
export function upgradeLines(port: number, path: string, extra: string[] = []): string[] {
  return [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    ...extra,
  ];
}
