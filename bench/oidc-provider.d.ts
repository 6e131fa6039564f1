/**
 * oidc-provider v8 ships no type declarations; these cover the little the peer uses (the
 * configuration object is passed through as the library documents it).
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (...args: any[]) => void): this;
  }

  export const errors: {
    InvalidTarget: new (description?: string, detail?: string) => Error;
  };
}
