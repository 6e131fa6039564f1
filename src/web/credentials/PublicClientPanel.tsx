import { useState } from 'react';
import { CreateApplicationDialog } from '../applications/CreateApplicationDialog.tsx';
import { ExplainPanel } from '../components/ExplainPanel.tsx';

/** Says why public clients get no keys, and offers the kind of application that can hold one. */
export function PublicClientPanel() {
  const [creating, setCreating] = useState(false);
  return (
    <ExplainPanel icon="i" title="Private Key JWT is not available for this application">
      <p>
        Single Page and Native applications are public clients: they run on your users’ devices, in a browser or an installed app, and cannot keep a private
        key secret. Anyone could extract the key and sign assertions as this application.
      </p>
      <p>
        To authenticate with a private key, create a Regular Web Application or a Machine to Machine application whose backend holds the key, and let this
        application talk to that backend.
      </p>
      <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
        Create a Machine to Machine application
      </button>
      {creating && <CreateApplicationDialog initialType="non_interactive" onClose={() => setCreating(false)} />}
    </ExplainPanel>
  );
}
