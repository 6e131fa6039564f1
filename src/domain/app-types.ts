import { ForbiddenError, InvalidInputError } from './errors.ts';

/** Auth0's `app_type` values. */
export const APP_TYPES = ['regular_web', 'non_interactive', 'spa', 'native'] as const;
export type AppType = (typeof APP_TYPES)[number];

const LABELS: Record<AppType, string> = {
  regular_web: 'Regular Web Application',
  non_interactive: 'Machine to Machine Application',
  spa: 'Single Page Application',
  native: 'Native Application',
};

export function parseAppType(value: string): AppType {
  if ((APP_TYPES as readonly string[]).includes(value)) return value as AppType;
  throw new InvalidInputError('invalid_app_type', `app_type must be one of ${APP_TYPES.join(', ')}.`, 'app_type');
}

/** Confidential applications run on a backend that can keep a secret or a private key. */
export function isConfidential(appType: string): boolean {
  return appType === 'regular_web' || appType === 'non_interactive';
}

/** Public clients (SPA, native) cannot hold a private key, so they never get credentials. */
export function assertConfidential(appType: string): void {
  if (!isConfidential(appType)) {
    const label = LABELS[appType as AppType] ?? appType;
    throw new ForbiddenError(
      'public_client',
      `Credentials and Private Key JWT are only available to confidential applications (Regular Web Application or Machine to Machine). ` +
        `This is a ${label}: a public client cannot keep a private key secret, because its code runs on the user's device.`,
    );
  }
}

/**
 * A client that authenticates by client_id alone (RFC 6749 §2.1): an SPA or native app, or any
 * application registered with token_endpoint_auth_method `none` and no Private Key JWT.
 */
export function isPublicClient(client: { appType: string; tokenEndpointAuthMethod: string | null; privateKeyJwt: boolean }): boolean {
  if (client.privateKeyJwt) return false;
  return client.tokenEndpointAuthMethod === 'none' || !isConfidential(client.appType);
}
