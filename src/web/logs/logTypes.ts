export interface LogTypeInfo {
  code: string;
  label: string;
  failure: boolean;
}

export const LOG_TYPES: LogTypeInfo[] = [
  { code: 'seccft', label: 'Success Exchange', failure: false },
  { code: 'feccft', label: 'Failed Exchange', failure: true },
  { code: 'sapi', label: 'Management API operation', failure: false },
];

/** Dashboard sign-in events share the log; they are not filter options but deserve readable names. */
const OTHER_TYPES: LogTypeInfo[] = [
  { code: 's', label: 'Success Login', failure: false },
  { code: 'fp', label: 'Failed Login (wrong password)', failure: true },
  { code: 'fu', label: 'Failed Login (unknown user)', failure: true },
  { code: 'limit_wc', label: 'Blocked Account (too many attempts)', failure: true },
  { code: 'limit_mu', label: 'Blocked IP Address (too many requests)', failure: true },
  { code: 'api_limit', label: 'Rate Limit on the Management API', failure: true },
];

/** Unknown codes still render (as themselves); Auth0's convention is that failures start with "f". */
export const logType = (code: string): LogTypeInfo => LOG_TYPES.find((t) => t.code === code) ?? OTHER_TYPES.find((t) => t.code === code) ?? { code, label: code, failure: code.startsWith('f') };

/** Auth0's Lucene subset the server accepts: `type:"…" AND client_id:"…"`. */
export function logQuery(type: string, clientId: string): string {
  const terms = [type && `type:"${type}"`, clientId && `client_id:"${clientId}"`].filter(Boolean);
  return terms.join(' AND ');
}
