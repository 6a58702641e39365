// picc's version, stamped into every generated file's banner (from package.json).

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const PICC_VERSION: string = (require('../package.json') as { version: string }).version;
