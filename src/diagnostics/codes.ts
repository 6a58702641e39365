// The catalogue of diagnostics picc can report. Codes are stable: tests, docs and
// users' scripts match on them. Each entry names the problem and the default hint
// (what to do about it); a stage may give a more specific hint.

export interface CodeInfo {
  title: string;
  hint?: string;
}

export const CODES = {
  // input files
  PICC001: { title: 'file cannot be read', hint: 'check the path and that you may read the file' },
  PICC002: { title: 'YAML syntax error', hint: 'fix the YAML syntax at the marked place' },
  PICC003: { title: 'not exactly one YAML document', hint: 'keep one document per file (no ---)' },
  PICC004: { title: 'duplicate key', hint: 'remove one of the two entries' },
  PICC005: { title: 'input too large', hint: 'a spec is a few KiB: check that this is the right file, and that no value holds pasted data' },
  PICC006: { title: 'nested too deeply', hint: 'a spec nests a few levels deep: look for runaway [ or { brackets, or a list of lists' },
  PICC007: { title: 'YAML alias', hint: 'write the value out, or put settings nodes share under spec.nodeDefaults (a node\'s own value wins)' },
  PICC008: { title: 'explicit YAML tag', hint: 'remove the tag; quote the value if it is meant as text' },
  PICC009: { title: 'character not allowed in the file' },

  // schema (shape of the spec)
  PICC101: { title: 'unknown key', hint: 'remove it, or check its spelling against the spec reference in README.md' },
  PICC102: { title: 'missing required key' },
  PICC103: { title: 'wrong type' },
  PICC104: { title: 'value not allowed' },
  PICC105: { title: 'malformed value' },
  PICC106: { title: 'value out of range' },

  // cluster rules (relations between values)
  PICC201: { title: 'duplicate node name', hint: 'every node needs its own hostname' },
  PICC202: { title: 'duplicate address', hint: 'every node needs its own address' },
  PICC203: { title: 'address outside the LAN subnet' },
  PICC204: { title: 'reserved address' },
  PICC205: { title: 'loopback DNS server', hint: 'a loopback resolver makes CoreDNS forward to itself (a loop); list the LAN resolver or a public one' },
  PICC206: { title: 'overlapping networks' },
  PICC207: { title: 'no control plane', hint: 'mark one node with role: control-plane' },
  PICC208: { title: 'control-plane endpoint' },
  PICC209: { title: 'even number of control planes' },
  PICC210: { title: 'unsupported CNI' },
  PICC211: { title: 'unsupported Kubernetes version' },
  PICC212: { title: 'unknown component version' },
  PICC213: { title: 'component incompatible with Kubernetes version' },
  PICC214: { title: 'CNI not suited to the node OS' },
  PICC215: { title: 'Wi-Fi passphrase missing' },
  PICC216: { title: 'subnet is not a network address' },
  PICC217: { title: 'component past end of support' },
  PICC218: { title: 'label the kubelet may not set' },

  // secrets file
  PICC301: { title: 'secrets file invalid' },
  PICC302: { title: 'secrets do not match the spec' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function defaultHint(code: Code): string | undefined {
  const info: CodeInfo = CODES[code];
  return info.hint;
}
