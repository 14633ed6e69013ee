/**
 * One-shot probes run inside a lab namespace: reachability of host:port (a refused connection
 * proves the path works: the RST came back) and one HTTP request whose exact response size is
 * measured, so the response sizes in run records are checked, not assumed.
 */
import { connect } from 'node:net';

export interface ConnectProbe {
  reachable: boolean;
  /** `open`, `refused` (reachable, nothing listening), or the error code / `timeout`. */
  detail: string;
}

export function probeConnect(host: string, port: number, timeout_ms = 2000): Promise<ConnectProbe> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ reachable: false, detail: 'timeout' });
    }, timeout_ms);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ reachable: true, detail: 'open' });
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(
        e.code === 'ECONNREFUSED'
          ? { reachable: true, detail: 'refused' }
          : { reachable: false, detail: e.code ?? e.message },
      );
    });
  });
}

export interface HttpProbe {
  status: number;
  header_bytes: number;
  body_bytes: number;
  total_bytes: number;
  headers: string;
}

/** Sends `request` once and reads exactly one response (Content-Length framed). */
export function probeHttp(
  host: string,
  port: number,
  request: string,
  timeout_ms = 3000,
): Promise<HttpProbe> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    let buf = Buffer.alloc(0);
    const fail = (msg: string) => {
      clearTimeout(timer);
      s.destroy();
      reject(new Error(`HTTP probe of ${host}:${port}: ${msg}`));
    };
    const timer = setTimeout(() => fail(`no complete response within ${timeout_ms} ms`), timeout_ms);
    s.once('connect', () => s.write(request, 'latin1'));
    s.on('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = buf.subarray(0, end + 4).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headers)?.[1] ?? Number.NaN);
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(headers);
      if (!len) return fail('response has no Content-Length');
      const body = Number(len[1]);
      if (buf.length < end + 4 + body) return;
      clearTimeout(timer);
      s.destroy();
      resolve({ status, header_bytes: end + 4, body_bytes: body, total_bytes: end + 4 + body, headers });
    });
  });
}
