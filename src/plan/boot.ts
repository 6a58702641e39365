// Plan for getting onto a board from its SD card's boot partition. Systems with cloud-init
// read the NoCloud seed (user-data, meta-data, network-config) at first boot. Raspberry Pi OS
// bullseye and bookworm have no cloud-init: they get what Raspberry Pi Imager gives them, a
// script on the boot partition that systemd runs once from cmdline.txt (systemd.run=) before
// the network is up. It does only what must happen before anyone can log in, moves setup.sh
// and the node's secrets off the card and enables the setup unit; the board then reboots.
// Facts and sources: docs/first-boot-facts.md.

import type { OsProfile } from './os-profiles.js';

/** Paths inside the boot partition, relative to its root. */
export const BOOT_FILES = {
  firstBootDir: 'picc',
  firstBootScript: 'picc/first-boot.sh',
  setupScript: 'picc/setup.sh',
  status: 'picc-status.txt',
} as const;

export interface FirstBootPlan {
  /** Absolute paths on the running board (the partition mounted at the OS's boot mount). */
  dir: string;
  script: string;
  setupOnCard: string;
  status: string;
  /**
   * Appended to cmdline.txt by `picc boot`, removed by the script itself. Both actions reboot:
   * systemd's default for a failed systemd.run= unit is to power the board off, silently.
   * No token may contain "firstboot": bookworm's initramfs resizes the root file system
   * whenever the kernel command line does.
   */
  cmdlineTokens: string[];
  /** The content of the user's authorized_keys (an empty line when the spec has no keys). */
  authorizedKeys: string;
}

export interface BootPlan {
  delivery: 'cloud-init' | 'first-boot';
  mount: OsProfile['bootMount'];
  /** Kernel arguments setup needs; `picc boot` writes them at once, so the first boot needs no reboot for them. */
  kernelArgs: string[];
  firstBoot: FirstBootPlan | null;
}

export function bootPlan(os: OsProfile, kernelArgs: readonly string[], sshAuthorizedKeys: readonly string[]): BootPlan {
  const mount = os.bootMount;
  if (os.cloudInit) return { delivery: 'cloud-init', mount, kernelArgs: [...kernelArgs], firstBoot: null };
  const at = (rel: string): string => `${mount}/${rel}`;
  return {
    delivery: 'first-boot',
    mount,
    kernelArgs: [...kernelArgs],
    firstBoot: {
      dir: at(BOOT_FILES.firstBootDir),
      script: at(BOOT_FILES.firstBootScript),
      setupOnCard: at(BOOT_FILES.setupScript),
      status: at(BOOT_FILES.status),
      cmdlineTokens: [
        `systemd.run=${at(BOOT_FILES.firstBootScript)}`,
        'systemd.run_success_action=reboot',
        'systemd.run_failure_action=reboot',
        'systemd.unit=kernel-command-line.target',
      ],
      authorizedKeys: sshAuthorizedKeys.map((k) => `${k}\n`).join('') || '\n',
    },
  };
}
