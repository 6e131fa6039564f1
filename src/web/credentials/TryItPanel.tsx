import { useId, useState } from 'react';
import type { Client, ClientGrant, Credential } from '../api.ts';
import { useTenant } from '../context.ts';
import { CopyButton } from '../components/CopyButton.tsx';
import { TabPanel, Tabs } from '../components/Tabs.tsx';
import { API_PLACEHOLDER, EXPRESS_BASE_URL, EXPRESS_CALLBACK_URL, randomSessionSecret, snippet, snippetAvailable, type SnippetId } from './snippets.ts';
import { enabledIdsOf, newestFirst } from './names.ts';
import { AssertionChecker } from './AssertionChecker.tsx';

const TABS: { id: SnippetId; label: string }[] = [
  { id: 'jsonwebtoken', label: 'jsonwebtoken' },
  { id: 'jose', label: 'jose' },
  { id: 'curl', label: 'curl' },
  { id: 'signet', label: 'signet token' },
];

/** A Regular Web Application also signs users in: a whole web app doing that comes after the token examples. */
const WEB_APP_TABS: { id: SnippetId; label: string }[] = [{ id: 'express-openid-connect', label: 'express-openid-connect' }];

/** From key pair to access token in one paste, then a way to see why an assertion fails. */
export function TryItPanel({ client, credentials, grants }: { client: Client; credentials: Credential[]; grants: ClientGrant[] }) {
  const { tenant } = useTenant();
  const [chosen, setChosen] = useState<SnippetId>('jsonwebtoken');
  // Made once per visit, in this browser only: the example runs as pasted, each copy with its own secret.
  const [sessionSecret] = useState(randomSessionSecret);
  const id = useId();
  const prefix = `tryit${id.replace(/[^A-Za-z0-9]/g, '')}`;

  // Sign with the algorithm of the key that will verify: an enabled credential, else the newest.
  const enabled = enabledIdsOf(client);
  const signing = credentials.find((c) => enabled.includes(c.id)) ?? [...credentials].sort(newestFirst)[0];
  const alg = signing?.alg ?? 'RS256';
  const webApp = client.app_type === 'regular_web';
  const tabs = [...TABS, ...(webApp ? WEB_APP_TABS : [])].filter((t) => snippetAvailable(t.id, alg));
  const tab = tabs.some((t) => t.id === chosen) ? chosen : tabs[0]!.id;
  const apiAudience = grants[0]?.audience ?? API_PLACEHOLDER;
  const code = snippet(tab, {
    clientId: client.client_id,
    issuer: tenant.issuer,
    tokenEndpoint: tenant.token_endpoint,
    apiAudience,
    alg,
    sessionSecret,
  });

  return (
    <section className="card" aria-labelledby={`${prefix}-h`}>
      <div className="card-header">
        <h2 id={`${prefix}-h`} className="card-title">
          Try it
        </h2>
        <p className="card-subtitle">
          Generate a key pair on your backend with <code className="mono">npx signet keys generate --out private.pem &gt; public.pem</code>, add{' '}
          <code className="mono">public.pem</code> as a credential above, then run one of these.
          {apiAudience === API_PLACEHOLDER && tab !== 'express-openid-connect' && (
            <> This application is not authorized for any API yet: replace {API_PLACEHOLDER} after authorizing it on the APIs tab.</>
          )}
        </p>
        {tab === 'express-openid-connect' && (
          <p className="card-subtitle">
            To sign users in with this example, add <code className="mono">{EXPRESS_CALLBACK_URL}</code> to Allowed Callback URLs and{' '}
            <code className="mono">{EXPRESS_BASE_URL}</code> to Allowed Logout URLs on the Settings tab, and allow the Authorization Code grant there.
          </p>
        )}
        {webApp && !snippetAvailable('express-openid-connect', alg) && (
          <p className="card-subtitle">
            The express-openid-connect example is not shown for an EdDSA key: that library labels Ed25519 signatures “Ed25519”, which does not match the
            credential’s EdDSA algorithm, so its assertions would be refused. Use an RSA or EC key with it.
          </p>
        )}
      </div>
      <div className="card-body">
        <Tabs label="Example" idPrefix={prefix} items={tabs} selected={tab} onSelect={setChosen} className="tabs-compact" />
        <TabPanel idPrefix={prefix} id={tab} className="snippet">
          <div className="snippet-toolbar">
            <span className="snippet-lang">{tab === 'curl' || tab === 'signet' ? 'Shell' : 'JavaScript'}</span>
            <CopyButton text={code} label="Copy snippet" />
          </div>
          {/* Focusable: a long line scrolls sideways, and the keyboard must be able to scroll it too. */}
          <pre className="code" tabIndex={0} aria-label={`${tab} example`}>
            <code>{code}</code>
          </pre>
        </TabPanel>
        <AssertionChecker clientId={client.client_id} />
      </div>
    </section>
  );
}
