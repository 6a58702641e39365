// The compiled JSON Schema check of a spec: ajv over schema/cluster.schema.json with picc's
// string formats, compiled on first use. The CLI bundle (scripts/build.mjs) replaces this
// module with ajv's standalone code for the same schema and options, generated at build
// time (src/prebuilt/generate.ts), so the CLI does not compile the schema on every run.

import { Ajv, type Options, type ValidateFunction } from 'ajv';
import schema from '../../schema/cluster.schema.json' with { type: 'json' };
import { AJV_FORMATS } from './ajv-formats.js';

/** allErrors: every problem at once; verbose: the data and parent schema for the messages. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: true, verbose: true, useDefaults: false };

/** An ajv instance with picc's formats, for compiling the schema (here, or into standalone code at build time). */
export function specAjv(options: Options = {}): Ajv {
  const ajv = new Ajv({ ...AJV_OPTIONS, ...options });
  for (const [name, fmt] of Object.entries(AJV_FORMATS)) ajv.addFormat(name, fmt);
  return ajv;
}

export const SPEC_SCHEMA: object = schema;

let compiled: ValidateFunction | undefined;

export function specValidator(): ValidateFunction {
  compiled ??= specAjv().compile(SPEC_SCHEMA);
  return compiled;
}
