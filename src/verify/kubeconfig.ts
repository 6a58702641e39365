// A kubeconfig's current context as what the API client needs: the server URL, the CA
// to trust, and the client certificate and key (or a bearer token). Certificates come
// embedded (*-data, base64) or as file paths, relative to the kubeconfig's folder as
// kubectl resolves them. Every problem is a sentence for a diagnostic, never an exception.

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { arr, obj, str, type Json } from './json.js';

export interface Credentials {
  server: string;
  /** PEM; undefined trusts the system's CAs (a server with a public certificate). */
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  /** Names for messages: which context of which file. */
  context: string;
}

export type KubeconfigRead = { credentials: Credentials } | { problem: string };

function named(list: unknown, name: string, field: string): Json | undefined {
  const entry = arr(list).map(obj).find((e) => e['name'] === name);
  return entry ? obj(entry[field]) : undefined;
}

/** Reads and resolves the kubeconfig at `path`; file references are read too. */
export async function readKubeconfig(path: string): Promise<KubeconfigRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `there is no kubeconfig at ${path}` : `cannot read the kubeconfig ${path}: ${code ?? String(e)}` };
  }
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 0 });
  } catch (e) {
    return { problem: `${path} is not a kubeconfig (not YAML: ${(e as Error).message.split('\n')[0]})` };
  }
  const config = obj(doc);
  const context = str(config['current-context']);
  if (!context) return { problem: `${path} names no current-context` };
  const ctx = named(config['contexts'], context, 'context');
  if (!ctx) return { problem: `${path} has no context "${context}" (its current-context)` };
  const cluster = named(config['clusters'], str(ctx['cluster']) ?? '', 'cluster');
  const user = named(config['users'], str(ctx['user']) ?? '', 'user');
  if (!cluster) return { problem: `${path}: context "${context}" names no cluster of the file` };
  if (!user) return { problem: `${path}: context "${context}" names no user of the file` };
  const server = str(cluster['server']);
  if (!server || !/^https:\/\//.test(server)) return { problem: `${path}: the cluster's server must be an https:// URL, not ${JSON.stringify(server ?? null)}` };

  const folder = dirname(path);
  const pem = async (data: string, file: string, from: Json): Promise<string | undefined> => {
    const inline = str(from[data]);
    if (inline !== undefined) return Buffer.from(inline, 'base64').toString('utf8');
    const ref = str(from[file]);
    return ref === undefined ? undefined : readFile(isAbsolute(ref) ? ref : join(folder, ref), 'utf8');
  };
  try {
    const creds: Credentials = { server, context };
    const ca = await pem('certificate-authority-data', 'certificate-authority', cluster);
    const cert = await pem('client-certificate-data', 'client-certificate', user);
    const key = await pem('client-key-data', 'client-key', user);
    const token = str(user['token']);
    if (ca !== undefined) creds.ca = ca;
    if (cert !== undefined) creds.cert = cert;
    if (key !== undefined) creds.key = key;
    if (token !== undefined) creds.token = token;
    if ((cert === undefined) !== (key === undefined)) return { problem: `${path}: user of context "${context}" has a client certificate without its key, or a key without its certificate` };
    if (cert === undefined && token === undefined) return { problem: `${path}: user of context "${context}" has neither a client certificate nor a token (picc verify supports those two)` };
    return { credentials: creds };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { problem: `${path}: cannot read a file it names: ${err.path ?? ''} ${err.code ?? err.message}`.replace(/\s+/g, ' ') };
  }
}
