// Rules that relate the spec to its secrets file: the file is this cluster's, and every
// Wi-Fi network a node joins has its passphrase there.

import type { Diagnostic, DocPath } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { report } from '../diagnostics/report.js';
import type { SecretsBundle } from '../secrets/types.js';
import { shown } from '../text/alphabet.js';
import type { ClusterSpec } from './types.js';

export function checkSecrets(source: SourceDoc, spec: ClusterSpec, secrets: Pick<SecretsBundle, 'cluster' | 'wifi'>, secretsFile: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (secrets.cluster !== spec.metadata.name) {
    out.push(report(source, 'PICC302', ['metadata', 'name'], `the secrets file ${secretsFile} belongs to cluster "${secrets.cluster}", not "${spec.metadata.name}"`, {
      hint: 'pass the right file with --secrets, or run `picc secrets init` for a new cluster',
    }));
  }
  const wanted = new Map<string, DocPath>();
  const defaults = spec.spec.nodeDefaults?.wifi;
  spec.spec.nodes.forEach((n, i) => {
    const wifi = n.wifi ?? defaults;
    if (!wifi) return;
    const path: DocPath = n.wifi ? ['spec', 'nodes', i, 'wifi', 'ssid'] : ['spec', 'nodeDefaults', 'wifi', 'ssid'];
    if (!wanted.has(wifi.ssid)) wanted.set(wifi.ssid, path);
  });
  for (const [ssid, path] of wanted) {
    if (!secrets.wifi.has(ssid)) {
      out.push(report(source, 'PICC215', path, `no passphrase for Wi-Fi ${shown(ssid)} in ${secretsFile}`, {
        hint: `add it to the secrets file:  wifi: { ${JSON.stringify(ssid)}: "<passphrase>" }`,
      }));
    }
  }
  return out;
}
