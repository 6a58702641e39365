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
  PICC010: { title: 'wrong usage', hint: 'see `picc --help` or `picc <command> --help`' },
  PICC011: { title: 'no place for the secrets file', hint: 'name the secrets file with --secrets FILE' },
  PICC012: { title: 'file exists (picc init never overwrites)', hint: 'give another file name, or move the file away yourself' },

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
  PICC219: { title: 'package signing key without a mirror' },
  PICC220: { title: 'setting unused by the install method' },
  PICC221: { title: 'kernel page size not selectable for the node' },
  PICC222: { title: 'Kubernetes upgrade kubeadm cannot do (a skipped minor, a downgrade)' },

  // secrets file
  PICC301: { title: 'secrets file invalid' },
  PICC302: { title: 'secrets do not match the spec' },
  PICC303: { title: 'secrets file readable by others', hint: 'chmod 600 the secrets file' },

  // output folder
  PICC501: { title: 'output folder holds files picc did not write', hint: 'move them away, choose another folder with -o, or --force to write beside them' },
  PICC502: { title: 'output folder holds the spec or its secrets file', hint: 'choose an output folder outside the spec\'s folder, e.g. -o out' },
  PICC503: { title: 'output folder cannot be written', hint: 'choose another output folder with -o' },
  PICC504: { title: 'output is not what the spec compiles to (compile --check)', hint: 'run picc compile without --check to bring the output up to date' },
  PICC505: { title: 'compile --check needs the secrets file', hint: 'the output holds the cluster\'s CA and token: without the secrets file it cannot be compared' },

  // picc boot: the SD card's boot partition
  PICC601: { title: 'not a Raspberry Pi boot partition', hint: 'mount the card\'s boot partition (bootfs, system-boot) and give its mount point' },
  PICC602: { title: 'card holds another OS than the node\'s', hint: 'flash the image the spec names for this node, or change the node\'s os' },
  PICC603: { title: 'card already customised by Raspberry Pi Imager', hint: 'flash the image again without Imager\'s customisation (OS customisation: no)' },
  PICC604: { title: 'card OS cannot be told', hint: 'make sure the card holds the image the spec names for this node' },
  PICC605: { title: 'no such node', hint: 'name a node of spec.nodes' },
  PICC606: { title: 'no secrets file yet', hint: 'run `picc compile SPEC` first: every board must share one CA' },

  // picc verify: the live cluster
  PICC701: { title: 'the cluster differs from the spec', hint: 'see the table of checks; fix the cluster or the spec' },
  PICC702: { title: 'kubeconfig cannot be used', hint: 'give the kubeconfig compile wrote (<out>/<cluster>/admin.kubeconfig) with -o, or --kubeconfig FILE' },
  PICC703: { title: 'API server cannot be reached', hint: 'check that the cluster is up and its endpoint reachable; or run verify.sh on a control plane and give its answers with --answers' },
  PICC704: { title: 'API server refused a request', hint: 'check that the kubeconfig belongs to this cluster and grants read access' },
  PICC705: { title: 'not an answer set of verify.sh', hint: 'give the file verify.sh wrote to its standard output on a control plane of this cluster' },

  // picc itself
  PICC900: { title: 'internal error', hint: 'this is a bug in picc: please report it with the spec that caused it' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function defaultHint(code: Code): string | undefined {
  const info: CodeInfo = CODES[code];
  return info.hint;
}
