// Values for NetworkManager keyfiles (GKeyFile syntax), written so NetworkManager reads
// back exactly the value we mean. GKeyFile unescapes \\ \s \n \t \r, drops leading spaces
// and throws a value away at an unknown escape; NetworkManager reads `ssid` (a byte array)
// either as text or, when the value ends in `;`, as decimal bytes (104;111;109;).

/** One value escaped as GKeyFile's string reader unescapes it. */
export function keyfileValue(value: string): string {
  if (value.includes('\0')) throw new Error('internal: a NUL cannot be written into a keyfile (the schema refuses it)');
  let out = '';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  // The reader drops leading spaces (NetworkManager 1.42 keeps trailing ones); \s at both
  // ends keeps the value whole whatever the reader, and makes the spaces visible.
  const lead = /^ */.exec(out)![0].length;
  const trail = lead === out.length ? 0 : /( *)$/.exec(out)![1]!.length;
  return '\\s'.repeat(lead) + out.slice(lead, out.length - trail) + '\\s'.repeat(trail);
}

/** Text NetworkManager reads back byte for byte as an SSID: printable ASCII, no \ or ;, no space at either end. */
const PLAIN_SSID = /^[\x21-\x3a\x3c-\x5b\x5d-\x7e]([\x20-\x3a\x3c-\x5b\x5d-\x7e]*[\x21-\x3a\x3c-\x5b\x5d-\x7e])?$/;

/** The `ssid=` value: the SSID as text when that is unambiguous, else its UTF-8 bytes in decimal. */
export function keyfileSsid(ssid: string): string {
  if (PLAIN_SSID.test(ssid)) return ssid;
  return [...Buffer.from(ssid, 'utf8')].map((b) => `${b};`).join('');
}
