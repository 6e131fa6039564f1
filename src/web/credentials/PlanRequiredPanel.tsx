import type { Plan } from '../api.ts';
import { planLabel } from '../format.ts';
import { ExplainPanel } from '../components/ExplainPanel.tsx';

export function PlanRequiredPanel({ plan }: { plan: Plan }) {
  return (
    <ExplainPanel icon="★" title="Private Key JWT requires the Enterprise plan">
      <p>This tenant is on the {planLabel(plan)} plan. Private Key JWT client authentication is available on Enterprise and Enterprise Plus.</p>
    </ExplainPanel>
  );
}
