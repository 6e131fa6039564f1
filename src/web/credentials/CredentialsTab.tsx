import { seg, type Client, type ClientGrant, type Credential } from '../api.ts';
import { useTenant } from '../context.ts';
import { isConfidential } from '../format.ts';
import { useLoad } from '../useLoad.ts';
import { AuthMethodsSection } from './AuthMethodsSection.tsx';
import { AvailableCredentials } from './AvailableCredentials.tsx';
import { TryItPanel } from './TryItPanel.tsx';
import { PublicClientPanel } from './PublicClientPanel.tsx';
import { PlanRequiredPanel } from './PlanRequiredPanel.tsx';

/**
 * Applications › Credentials. What it shows depends on who may use Private Key JWT at all:
 * public clients get an explanation instead of controls, tenants below Enterprise keep their
 * secret methods but see which plan unlocks keys, and everyone else gets the full flow:
 * method, credentials, a ready-to-run snippet and an assertion checker.
 */
export function CredentialsTab({ client, onChanged }: { client: Client; onChanged: (c: Client) => void }) {
  if (!isConfidential(client.app_type)) return <PublicClientPanel />;
  return <ConfidentialCredentials client={client} onChanged={onChanged} />;
}

function ConfidentialCredentials({ client, onChanged }: { client: Client; onChanged: (c: Client) => void }) {
  const { api, tenant } = useTenant();
  const allowed = tenant.private_key_jwt_allowed;
  const credentials = useLoad(
    // Below Enterprise the credential routes answer 403 by design; there is nothing to load.
    () => (allowed ? api.get<Credential[]>(`/clients/${seg(client.client_id)}/credentials`) : Promise.resolve([])),
    [api, client.client_id, allowed],
  );
  const grants = useLoad(
    () => (allowed ? api.listAll<ClientGrant>(`/client-grants?client_id=${encodeURIComponent(client.client_id)}`) : Promise.resolve([])),
    [api, client.client_id, allowed],
  );

  return (
    <div className="stack-lg">
      <AuthMethodsSection client={client} credentials={credentials.data} onChanged={onChanged} />
      {allowed ? (
        <>
          <AvailableCredentials client={client} credentials={credentials} onClientChanged={onChanged} />
          <TryItPanel client={client} credentials={credentials.data ?? []} grants={grants.data ?? []} />
        </>
      ) : (
        <PlanRequiredPanel plan={tenant.plan} />
      )}
    </div>
  );
}
