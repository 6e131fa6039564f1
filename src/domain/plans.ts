import { ForbiddenError, InvalidInputError } from './errors.ts';

/** Plans in ascending order; a feature available on a plan is available on every later one. */
export const PLANS = ['free', 'essentials', 'professional', 'enterprise', 'enterprise_plus'] as const;
export type Plan = (typeof PLANS)[number];

export function parsePlan(value: string): Plan {
  if ((PLANS as readonly string[]).includes(value)) return value as Plan;
  throw new InvalidInputError('invalid_plan', `Unknown plan "${value.slice(0, 32)}". Plans: ${PLANS.join(', ')}.`, 'plan');
}

export const PRIVATE_KEY_JWT_PLAN: Plan = 'enterprise';

export function planAllowsPrivateKeyJwt(plan: string): boolean {
  const i = PLANS.indexOf(plan as Plan);
  return i >= PLANS.indexOf(PRIVATE_KEY_JWT_PLAN);
}

/** Throws the 403 every credential operation gives below Enterprise, naming the plan needed. */
export function assertPlanAllowsPrivateKeyJwt(plan: string): void {
  if (!planAllowsPrivateKeyJwt(plan)) {
    throw new ForbiddenError(
      'plan_required',
      `Private Key JWT and application credentials require the Enterprise plan or above; this tenant is on the ${plan} plan.`,
    );
  }
}
