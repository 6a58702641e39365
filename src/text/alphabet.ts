// The safe alphabet for free text from the user (SSH key comments, SSIDs): no control
// characters (C0 with NUL and TAB, DEL, C1 with U+0085 NEL) and no U+2028/U+2029.
// Each of these is a line break or a terminator to some reader of picc's output
// (YAML 1.1, GKeyFile, shells, terminals); refusing them at the schema keeps every writer's
// escaping a second line of defence rather than the only one.

const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/u;

/** The first character outside the safe alphabet, or undefined when there is none. */
export function firstUnsafeCharacter(text: string): string | undefined {
  return UNSAFE.exec(text)?.[0];
}

export function isSafeText(text: string): boolean {
  return !UNSAFE.test(text);
}

/** U+0009 style name of a character, for messages (the character itself may be invisible). */
export function codePointName(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

const SHOWN_MAX = 120;

/** Text in double quotes with every character outside the safe alphabet escaped, for messages. */
export function shown(text: string): string {
  // A pasted blob is named by its start and length, not echoed whole.
  const cut = text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}… (${text.length} characters)` : text;
  return JSON.stringify(cut).replace(/[\x7f-\x9f\u2028\u2029]/gu, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}
