import type { Plan } from '../api.ts';
import { planLabel } from '../format.ts';

export function PlanRequiredPanel({ plan }: { plan: Plan }) {
  return (
    <section className="card panel-explain" aria-labelledby="pkjwt-plan">
      <div className="card-body">
        <div className="explain-icon" aria-hidden="true">
          ★
        </div>
        <h2 id="pkjwt-plan" className="card-title">
          Private Key JWT requires the Enterprise plan
        </h2>
        <p>
          This tenant is on the {planLabel(plan)} plan. Private Key JWT client authentication is available on Enterprise and Enterprise Plus.
        </p>
      </div>
    </section>
  );
}
