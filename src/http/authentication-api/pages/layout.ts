import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../../../domain/html.ts';

/** The pages' one stylesheet, inline and allowed by its hash: no other style can apply. */
const CSS = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;background:#f4f5f7;color:#1b1d21}
main{background:#fff;border-radius:8px;box-shadow:0 2px 12px rgba(0,0,0,.12);padding:2rem;width:min(24rem,90vw)}
h1{font-size:1.35rem;margin:0 0 .25rem}
.tenant{margin:0 0 1.5rem;color:#4a4f57}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input{box-sizing:border-box;width:100%;padding:.6rem;border:1px solid #6b7280;border-radius:4px;font-size:1rem}
button{margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:4px;background:#1d4ed8;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
button:focus,input:focus{outline:3px solid #93c5fd;outline-offset:1px}
[role=alert]{margin:1rem 0 0;padding:.75rem;border-radius:4px;background:#fde8e8;color:#8a1c1c}
p{line-height:1.5}
@media (prefers-color-scheme:dark){body{background:#111318;color:#e6e7ea}main{background:#1b1e25}.tenant{color:#b7bcc6}input{background:#111318;color:#e6e7ea;border-color:#8b93a1}[role=alert]{background:#4a1717;color:#ffd7d7}}
`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

export interface PageOptions {
  /** Origins a form on the page may post to, besides the page's own ('self'). */
  formTargets?: readonly string[];
  /** Inline scripts the page runs (each allowed by its hash, nothing else). */
  scripts?: readonly string[];
}

const scriptHash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;

/**
 * The headers of every hosted page: a CSP that allows only the inline stylesheet (by hash), the
 * page's own scripts (by hash) and forms posting to itself (and, for form_post, to the
 * client's origin); never framed (clickjacking); never cached or sent as a Referer (the URL
 * can carry a transaction id).
 */
export function sendPage(reply: FastifyReply, status: number, html: string, opts: PageOptions = {}): FastifyReply {
  const formAction = ["'self'", ...(opts.formTargets ?? [])].join(' ');
  const scripts = opts.scripts?.length ? `; script-src ${opts.scripts.map(scriptHash).join(' ')}` : '';
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src ${STYLE_HASH}; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'${scripts}`,
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    })
    .send(html);
}

/** A whole document around `body` (already HTML); `title` is text. */
export function documentHtml(title: string, body: string, script?: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>${script ? `\n<script>${script}</script>` : ''}
</body>
</html>
`;
}

/** A page that explains a refusal and goes nowhere (used when redirecting would be unsafe). */
export function sendErrorPage(reply: FastifyReply, status: number, title: string, message: string): FastifyReply {
  return sendPage(reply, status, documentHtml(title, `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>`));
}
