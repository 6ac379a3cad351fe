/**
 * Every case the Promela export is checked on: the presets, the rings and
 * the scenarios beyond the presets (scenarios/extra.ts); promela.test.ts runs
 * Spin on the extra ones, and
 * promela-golden.test.ts holds the exported text of each to the digests in
 * promela-golden.json (written by scripts/promela-golden.ts).
 */
import type { VariantId } from '../kernel/variants.ts';
import { VARIANTS } from '../kernel/variants.ts';
import { EXTRA_SCENARIOS } from '../scenarios/extra.ts';
import { PRESETS } from '../scenarios/index.ts';
import { gfs2DioRing, MAX_RING_TASKS } from '../scenarios/ring.ts';
import type { Scenario } from '../scenarios/types.ts';

export interface PromelaCase {
  /** `scenario variant`, and ` shown` when the scratch variables are not hidden. */
  readonly name: string;
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly hidden: boolean;
}

/**
 * Every preset under every variant (the refusals too), the ring of 2 to
 * MAX_RING_TASKS and the custom scenarios under every gfs2 variant, each with
 * its scratch variables hidden and not.
 */
export function promelaCases(): PromelaCase[] {
  const gfs2 = VARIANTS.filter((v) => v.flags.fs === 'gfs2').map((v) => v.id);
  const rings = Array.from({ length: MAX_RING_TASKS - 1 }, (_, i) => gfs2DioRing(i + 2));
  const named = [
    ...PRESETS.flatMap((scenario) => VARIANTS.map((v) => ({ label: scenario.id, scenario, variant: v.id }))),
    ...rings.flatMap((scenario) => gfs2.map((variant) => ({ label: `${scenario.id}/${scenario.tasks.length}`, scenario, variant }))),
    ...EXTRA_SCENARIOS.flatMap((scenario) => gfs2.map((variant) => ({ label: scenario.id, scenario, variant }))),
  ];
  return named.flatMap(({ label, scenario, variant }) => [
    { name: `${label} ${variant}`, scenario, variant, hidden: true },
    { name: `${label} ${variant} shown`, scenario, variant, hidden: false },
  ]);
}
