/**
 * A loopback HTTP proxy in front of the test Orthanc that injects faults into
 * chosen answers: a connection cut mid-body, an HTTP error status, a hang
 * (accepts, never answers), an answer cut short but ended cleanly (chunked, so
 * the client sees no network error), an HTML page with status 200, or another
 * instance's bytes. Everything else is forwarded unchanged.
 *
 * Listens on 127.0.0.1 only and forwards to 127.0.0.1 only. Node only.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault =
  /** Send the status line, headers and this many body bytes, then destroy the socket. */
  | { kind: 'cut'; afterBytes: number }
  /** Answer with this status and a short text body instead of forwarding. */
  | { kind: 'status'; status: number; body?: string }
  /** Accept the request and never answer (until the proxy closes). */
  | { kind: 'hang' }
  /** Forward, but end the answer cleanly after this many body bytes (no Content-Length, chunked). */
  | { kind: 'truncate'; afterBytes: number }
  /** Status 200 with an HTML login page. */
  | { kind: 'html' }
  /** Answer with the body of another path (e.g. another instance) and its headers. */
  | { kind: 'swap'; path: string };

export type ProxiedRequest = { n: number; method: string; path: string; headers: IncomingMessage['headers'] };

export type FaultProxy = {
  url: string;
  port: number;
  /** Every request seen, in order. */
  requests: ProxiedRequest[];
  /** Faults injected so far. */
  injected: { n: number; path: string; fault: Fault['kind'] }[];
  /** Replaces the fault plan. */
  setPlan(plan: FaultPlan): void;
  close(): Promise<void>;
};

/** Decides the fault (or none) for request `req`. */
export type FaultPlan = (req: ProxiedRequest) => Fault | undefined;

export async function startFaultProxy(options: { port: number; targetPort: number; plan?: FaultPlan }): Promise<FaultProxy> {
  let plan: FaultPlan = options.plan ?? (() => undefined);
  const requests: ProxiedRequest[] = [];
  const injected: FaultProxy['injected'] = [];
  const sockets = new Set<Socket>();

  const forward = (req: IncomingMessage, path: string, onResponse: (upstream: IncomingMessage) => void, onError: (e: Error) => void): void => {
    const headers = { ...req.headers, host: `127.0.0.1:${options.targetPort}` };
    const up = httpRequest({ host: '127.0.0.1', port: options.targetPort, method: req.method, path, headers }, onResponse);
    up.on('error', onError);
    req.pipe(up);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: ProxiedRequest = { n: requests.length, method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
    requests.push(entry);
    const fault = plan(entry);
    if (fault) injected.push({ n: entry.n, path: entry.path, fault: fault.kind });
    const fail = (e: Error): void => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain' });
        res.end(`proxy: ${e.message}`);
      } else res.destroy();
    };
    if (fault?.kind === 'hang') {
      req.resume();
      return;
    }
    if (fault?.kind === 'status') {
      req.resume();
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' });
      res.end(fault.body ?? `injected ${fault.status}`);
      return;
    }
    if (fault?.kind === 'html') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html><body><form>Please log in</form></body></html>');
      return;
    }
    const path = fault?.kind === 'swap' ? fault.path : entry.path;
    forward(
      req,
      path,
      (upstream) => {
        const headers = { ...upstream.headers };
        if (fault?.kind === 'truncate') {
          delete headers['content-length'];
          headers['transfer-encoding'] = 'chunked';
        }
        res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, headers);
        if (fault?.kind !== 'cut' && fault?.kind !== 'truncate') {
          upstream.pipe(res);
          return;
        }
        let sent = 0;
        const limit = fault.afterBytes;
        upstream.on('data', (chunk: Buffer) => {
          if (sent >= limit) return;
          const take = chunk.subarray(0, Math.max(0, limit - sent));
          sent += take.length;
          if (take.length > 0) res.write(take);
          if (sent >= limit) {
            upstream.destroy();
            if (fault.kind === 'cut') {
              // Make sure the bytes leave before the reset.
              res.socket?.end();
              res.socket?.destroy();
            } else res.end();
          }
        });
        upstream.on('end', () => {
          if (sent < limit) res.end();
        });
      },
      fail,
    );
  };

  const server: Server = createServer(handle);
  server.keepAliveTimeout = 5000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${options.port}`,
    port: options.port,
    requests,
    injected,
    setPlan(p) {
      plan = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
