// What `picc boot` writes onto one node's boot partition: a pure function of the node's
// compiled artifacts, its boot plan and what the partition holds now. cmdline.txt changes
// only where this path needs it: each token added once, at the end of its one line, the
// rest kept byte for byte.

import type { Artifact } from '../render/render.js';
import { BOOT_FILES, type BootPlan } from '../plan/boot.js';
import { cmdlineTokens } from './identify.js';

export interface CardFile {
  /** Relative to the partition's root. */
  path: string;
  content: string;
  /** What the file is, for the list `picc boot` prints. */
  what: string;
  secret: boolean;
}

export interface CardWrites {
  files: CardFile[];
  /** The new cmdline.txt, or undefined when it needs no change. */
  cmdline: string | undefined;
  added: string[];
}

export function cardWrites(node: string, artifacts: readonly Artifact[], boot: BootPlan, cmdline: string): CardWrites {
  const file = (name: string): string => {
    const a = artifacts.find((x) => x.path.endsWith(`/${node}/${name}`));
    if (!a) throw new Error(`no ${name} compiled for node ${node}`);
    return a.content;
  };
  // With Wi-Fi, the file that brings the network up also holds its key.
  const wifiKey = (what: string, holds: string): string => (boot.wifi ? `${what}; holds the Wi-Fi ${holds}` : what);
  const files: CardFile[] = boot.firstBoot
    ? [
        { path: BOOT_FILES.firstBootScript, content: file('first-boot.sh'), what: `${wifiKey('first-boot script (run once from cmdline.txt', 'key')})`, secret: boot.wifi },
        { path: BOOT_FILES.setupScript, content: file('setup.sh'), what: 'setup.sh (holds the join token; moved off the card at first boot)', secret: true },
      ]
    : [
        { path: 'user-data', content: file('user-data'), what: 'cloud-init user-data (installs setup.sh and the unit that runs it; holds the join token)', secret: true },
        { path: 'meta-data', content: file('meta-data'), what: 'cloud-init meta-data', secret: false },
        { path: 'network-config', content: file('network-config'), what: `${wifiKey('cloud-init network-config (static address', 'passphrase')})`, secret: boot.wifi },
      ];
  if (boot.userconf !== null) {
    files.push({ path: BOOT_FILES.userconf, content: boot.userconf, what: 'userconf.txt (settles the image\'s first user: renamed, password locked, no console dialog)', secret: false });
  }
  const wanted = [...boot.kernelArgs, ...(boot.firstBoot?.cmdlineTokens ?? [])];
  const present = new Set(cmdlineTokens(cmdline));
  const added = wanted.filter((t) => !present.has(t));
  return { files, cmdline: added.length > 0 ? appendTokens(cmdline, added) : undefined, added };
}

/** The line with the tokens appended before its line ending; anything after the first line is kept as it is. */
export function appendTokens(cmdline: string, tokens: readonly string[]): string {
  const end = cmdline.search(/\r?\n/);
  const line = end === -1 ? cmdline : cmdline.slice(0, end);
  const rest = end === -1 ? '' : cmdline.slice(end);
  const sep = line === '' || /\s$/.test(line) ? '' : ' ';
  return `${line}${sep}${tokens.join(' ')}${rest}`;
}
