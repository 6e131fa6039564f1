// `node --import ./test/support/record-imports.mjs ...` with SIGNET_RECORD_IMPORTS=FILE: appends
// the URL of every module the process imports (its ESM graph, including the CommonJS packages it
// imports, such as pg or ioredis) to FILE, one a line. Tests read it to see what a start loaded.
import { register } from 'node:module';

if (process.env.SIGNET_RECORD_IMPORTS) {
  register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.SIGNET_RECORD_IMPORTS } });
}
