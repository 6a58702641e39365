// A small read-only client for the Kubernetes API over Node's own https: GET a path,
// decode its JSON, with the kubeconfig's CA, client certificate and key (or token), a
// deadline per request and a cap on the answer's size. 404 is an answer (null: the
// object does not exist); anything else that is not 2xx, and every network or TLS
// failure, is an ApiFailure with a sentence for the user.

import { request } from 'node:https';
import { PICC_VERSION } from '../version.js';
import type { Credentials } from './kubeconfig.js';
import { obj, str } from './json.js';
import type { Answers } from './paths.js';

export interface ClientOptions {
  /** Per request, from sending to the last byte. */
  timeoutMs: number;
  maxBytes: number;
}

export const DEFAULT_CLIENT: ClientOptions = { timeoutMs: 15_000, maxBytes: 64 * 1024 * 1024 };

export class ApiFailure extends Error {
  /** unreachable: no answer (network, TLS, timeout); refused: the server answered with an error. */
  constructor(readonly kind: 'unreachable' | 'refused', message: string) {
    super(message);
  }
}

/** GETs one path; resolves to the decoded body, or null for 404. */
export function getJson(creds: Credentials, path: string, opts: ClientOptions = DEFAULT_CLIENT): Promise<unknown> {
  const base = new URL(creds.server);
  const url = new URL(base.pathname.replace(/\/+$/, '') + path, base);
  return new Promise((resolve, reject) => {
    let deadline: NodeJS.Timeout | undefined;
    const fail = (kind: ApiFailure['kind'], why: string): void => {
      clearTimeout(deadline);
      reject(new ApiFailure(kind, `GET ${url.href}: ${why}`));
    };
    let req: ReturnType<typeof request>;
    try {
      req = request(url, {
        method: 'GET',
        headers: { Accept: 'application/json', 'User-Agent': `picc/${PICC_VERSION}`, ...(creds.token ? { Authorization: `Bearer ${creds.token}` } : {}) },
        ...(creds.ca !== undefined ? { ca: creds.ca } : {}),
        ...(creds.cert !== undefined ? { cert: creds.cert, key: creds.key } : {}),
        // Verify the server against the CA, always: there is no "insecure" mode.
        rejectUnauthorized: true,
        agent: false,
      });
    } catch (e) {
      // A certificate or key Node cannot load is refused while the request is built.
      return fail('unreachable', (e as Error).message);
    }
    // Settle first, then tear down: a destroyed request may report nothing more.
    deadline = setTimeout(() => {
      fail('unreachable', `no complete answer within ${opts.timeoutMs / 1000} s`);
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => fail('unreachable', e.code ? `${e.code} (${e.message})` : e.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= opts.maxBytes) return void chunks.push(c);
        fail('refused', `the answer is larger than ${opts.maxBytes} bytes`);
        req.destroy();
      });
      res.on('error', (e) => fail('unreachable', e.message));
      res.on('end', () => {
        clearTimeout(deadline);
        if (size > opts.maxBytes) return;
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status === 404) return resolve(null);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return fail(status >= 200 && status < 300 ? 'unreachable' : 'refused', `HTTP ${status}, and the answer is not JSON`);
        }
        if (status >= 200 && status < 300) return resolve(body);
        // The API server explains refusals in a Status object's message.
        fail('refused', `HTTP ${status}${str(obj(body)['message']) ? `: ${str(obj(body)['message'])}` : ''}`);
      });
    });
    req.end();
  });
}

/** Every path's answer; the first failure rejects (the others are not waited for). */
export async function fetchAnswers(creds: Credentials, paths: readonly string[], opts: ClientOptions = DEFAULT_CLIENT): Promise<Answers> {
  const bodies = await Promise.all(paths.map((p) => getJson(creds, p, opts)));
  return new Map(paths.map((p, i) => [p, bodies[i]]));
}
