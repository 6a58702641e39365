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
  /** first-boot.sh's record of its steps (bullseye, bookworm). */
  firstBootStatus: 'picc-first-boot.txt',
  userconf: 'userconf.txt',
  /** setup's progress, last error and result, on every OS. */
  setupStatus: 'picc-status.txt',
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
  /**
   * `userconf.txt` for a cloud-init image that also holds a first user pending a rename
   * (trixie): userconf-pi reads it, renames uid 1000 to the spec's user with a locked
   * password and turns the console dialog off, whichever of it and cloud-init runs first.
   * null where first-boot.sh settles the user (bullseye, bookworm) or there is no dialog.
   */
  userconf: string | null;
  /** Where setup writes its status (absolute on the board); a card pulled from the board shows it. */
  setupStatus: string;
  /** Seed files that hold the node's secrets (token, CA keys, Wi-Fi passphrase): emptied by setup when it is done. */
  secretSeedFiles: string[];
}

export function bootPlan(os: OsProfile, kernelArgs: readonly string[], user: string, sshAuthorizedKeys: readonly string[], wifi: boolean): BootPlan {
  const mount = os.bootMount;
  const at = (rel: string): string => `${mount}/${rel}`;
  const setupStatus = at(BOOT_FILES.setupStatus);
  if (os.cloudInit) {
    // user-data carries setup.sh (token, CA keys); network-config the Wi-Fi passphrase.
    const secretSeedFiles = [at('user-data'), ...(wifi ? [at('network-config')] : [])];
    // NAME:! — userconf-service needs a non-empty hash; "!" locks the password (keys only).
    const userconf = os.firstUserRename ? `${user}:!\n` : null;
    return { delivery: 'cloud-init', mount, kernelArgs: [...kernelArgs], firstBoot: null, userconf, setupStatus, secretSeedFiles };
  }
  return {
    delivery: 'first-boot',
    mount,
    kernelArgs: [...kernelArgs],
    userconf: null,
    setupStatus,
    // first-boot.sh takes setup.sh off the card itself; nothing else on it holds a secret.
    secretSeedFiles: [],
    firstBoot: {
      dir: at(BOOT_FILES.firstBootDir),
      script: at(BOOT_FILES.firstBootScript),
      setupOnCard: at(BOOT_FILES.setupScript),
      status: at(BOOT_FILES.firstBootStatus),
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
