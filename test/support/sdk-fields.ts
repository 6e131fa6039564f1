/**
 * The property names of a request body interface in the installed auth0 v7 SDK, read from its
 * TypeScript declarations at test time, so the field-coverage specs follow the SDK (and so
 * Auth0's OpenAPI) instead of a list copied by hand.
 *
 * The generated `.d.mts` puts each interface at column 0 (`export interface Name {` … `}`) and its
 * own properties at four spaces (`    name?: Type;`); doc comments and nested type lines never
 * start with four spaces and an identifier followed by `:`, so a line scan is enough.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REQUESTS = fileURLToPath(new URL('../../node_modules/auth0/dist/esm/management/api/requests/requests.d.mts', import.meta.url));

let source: string[] | undefined;

export function sdkRequestFields(interfaceName: string): string[] {
  source ??= readFileSync(REQUESTS, 'utf8').split('\n');
  const start = source.indexOf(`export interface ${interfaceName} {`);
  if (start < 0) throw new Error(`auth0 SDK has no interface ${interfaceName} in ${REQUESTS}`);
  const fields: string[] = [];
  for (let i = start + 1; i < source.length && source[i] !== '}'; i++) {
    const m = /^ {4}([A-Za-z_][A-Za-z0-9_]*)\??:/.exec(source[i]!);
    if (m) fields.push(m[1]!);
  }
  if (!fields.length) throw new Error(`No properties read from ${interfaceName}: the SDK's declaration layout changed`);
  return fields;
}
