import { escapeHtml } from '../../../domain/html.ts';
import { documentHtml } from './layout.ts';

export interface LoginPageInput {
  tenantName: string;
  appName: string;
  /** The login transaction id and its CSRF token, posted back with the form. */
  state: string;
  csrf: string;
  email: string;
  error?: string;
}

/** The hosted sign-in form: works without JavaScript; every value shown is escaped. */
export function loginPageHtml(p: LoginPageInput): string {
  const alert = p.error ? `\n<div role="alert" id="error">${escapeHtml(p.error)}</div>` : '';
  return documentHtml(
    `Sign in to ${p.appName}`,
    `<h1>Sign in to ${escapeHtml(p.appName)}</h1>
<p class="tenant">${escapeHtml(p.tenantName)}</p>${alert}
<form method="post" action="/u/login" novalidate>
<input type="hidden" name="state" value="${escapeHtml(p.state)}">
<input type="hidden" name="csrf" value="${escapeHtml(p.csrf)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required maxlength="320" value="${escapeHtml(p.email)}"${p.error ? ' aria-describedby="error"' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Continue</button>
</form>`,
  );
}

/** The signed-out page of logout when there is nowhere (allowed) to return to. */
export function signedOutHtml(tenantName: string, note?: string): string {
  return documentHtml(
    'Signed out',
    `<h1>You are signed out</h1>
<p class="tenant">${escapeHtml(tenantName)}</p>
<p>You can close this window.</p>${note ? `\n<p role="alert">${escapeHtml(note)}</p>` : ''}`,
  );
}

/** The script of form_post responses: submits the one form as soon as it is parsed. */
export const FORM_POST_SCRIPT = 'document.forms[0].submit();';

/**
 * An OAuth 2.0 Form Post response: the authorization response's parameters as hidden fields
 * of a form posted to the redirect_uri. It submits itself; without JavaScript the user clicks
 * the button.
 */
export function formPostHtml(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('\n');
  return documentHtml(
    'Continue',
    `<h1>Continue to the application</h1>
<form method="post" action="${escapeHtml(action)}">
${inputs}
<button type="submit">Continue</button>
</form>`,
    FORM_POST_SCRIPT,
  );
}
