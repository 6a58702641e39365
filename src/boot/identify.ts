// Which system an SD card's boot partition belongs to, told from the partition alone, so
// `picc boot` can refuse a node whose `os` does not match the card. Only Raspberry Pi OS's
// releases can be told apart reliably; what cannot be told is said, never guessed.
// Facts and sources: docs/first-boot-facts.md §5.

import type { OsId } from '../cluster-spec/types.js';

export interface PartitionFacts {
  cmdline: string | undefined;
  config: string | undefined;
  issue: string | undefined;
  /** Names at the top of the partition. */
  files: ReadonlySet<string>;
}

export type CardFamily = 'raspios' | 'ubuntu' | 'unknown';

export interface Identified {
  family: CardFamily;
  /** The release, when the partition tells it. */
  os: OsId | undefined;
  /** What told it, in a few words, for messages. */
  evidence: string;
}

export function cmdlineTokens(cmdline: string | undefined): string[] {
  return (cmdline ?? '').split(/\s+/).filter((t) => t !== '');
}

export function identify(f: PartitionFacts): Identified {
  const tokens = cmdlineTokens(f.cmdline);
  const has = (t: string): boolean => tokens.includes(t);
  if (/^\s*kernel=vmlinuz\b/m.test(f.config ?? '') || f.files.has('vmlinuz')) {
    return { family: 'ubuntu', os: undefined, evidence: 'config.txt boots vmlinuz (Ubuntu)' };
  }
  if (!(f.issue ?? '').includes('pi-gen')) return { family: 'unknown', os: undefined, evidence: 'no issue.txt from pi-gen and no Ubuntu kernel' };
  if (has('init=/usr/lib/raspi-config/init_resize.sh')) {
    return { family: 'raspios', os: 'raspios-bullseye', evidence: 'cmdline.txt has init_resize.sh (bullseye)' };
  }
  // trixie images resize from the initramfs (a plain `resize` token) and carry a cloud-init seed.
  if (has('resize') || f.files.has('user-data') || f.files.has('network-config')) {
    return { family: 'raspios', os: 'raspios-trixie', evidence: has('resize') ? 'cmdline.txt has resize (trixie)' : 'a cloud-init seed on the partition (trixie)' };
  }
  const initramfs = /^\s*auto_initramfs=1\b/m.test(f.config ?? '');
  if (has('init=/usr/lib/raspberrypi-sys-mods/firstboot')) {
    return initramfs
      ? { family: 'raspios', os: 'raspios-bookworm', evidence: 'cmdline.txt has sys-mods firstboot and config.txt auto_initramfs=1 (bookworm)' }
      : { family: 'raspios', os: 'raspios-bullseye', evidence: 'cmdline.txt has sys-mods firstboot without auto_initramfs (bullseye)' };
  }
  return { family: 'raspios', os: undefined, evidence: 'a Raspberry Pi OS card that has booted before (release not told)' };
}

/** Does the card's system fit the node's `os`? undefined when the card does not say. */
export function fits(card: Identified, os: OsId): boolean | undefined {
  if (card.family === 'unknown') return undefined;
  if (card.family === 'ubuntu') return os.startsWith('ubuntu-');
  if (!os.startsWith('raspios-')) return false;
  return card.os === undefined ? undefined : card.os === os;
}
