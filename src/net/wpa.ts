// The WPA pre-shared key as wpa_supplicant derives it from a passphrase (IEEE 802.11i:
// PBKDF2-HMAC-SHA1 over the passphrase, salted with the SSID's bytes, 4096 rounds, 32
// bytes), so picc can write the key in hex: nothing to quote, no passphrase in clear.

import { pbkdf2Sync } from 'node:crypto';

/** 64 hex digits; a passphrase that already is 64 hex digits is the key itself. */
export function wpaPsk(ssid: string, passphrase: string): string {
  if (/^[0-9a-fA-F]{64}$/.test(passphrase)) return passphrase.toLowerCase();
  return pbkdf2Sync(Buffer.from(passphrase, 'utf8'), Buffer.from(ssid, 'utf8'), 4096, 32, 'sha1').toString('hex');
}

/** An SSID in wpa_supplicant's hex form: any bytes, no quoting rules to get wrong. */
export function wpaSsidHex(ssid: string): string {
  return Buffer.from(ssid, 'utf8').toString('hex');
}
