// picc's string formats in the form ajv takes them ({type, validate}), shared by the
// schema compiled at run time (schema-validator.ts) and the standalone code generated at
// build time, which refers to this module's export by name.

import { FORMATS } from './formats.js';

export const AJV_FORMATS = Object.fromEntries(Object.entries(FORMATS).map(([name, fmt]) => [name, { type: 'string' as const, validate: fmt.test }]));
