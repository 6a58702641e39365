// picc's version, stamped into every generated file's banner (from package.json).

// A JSON import, not a file read at run time: the bundle (scripts/build.mjs) carries it.
import pkg from '../package.json' with { type: 'json' };

export const PICC_VERSION: string = pkg.version;
