/**
 * Pick a preset, a kernel variant and an interleaving. The Interleaving
 * picker names what is loaded, whatever loaded it: one of the scenario's
 * named interleavings (and whether the sources document it under this
 * variant), a link's schedule, the explorer's, or the user's own.
 */
import { useId } from 'react';
import { VARIANTS, type Variant, type VariantId } from '../kernel/variants.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import type { LoadedSchedule } from '../store/faultline.ts';
import { useFaultline } from './store-context.tsx';

/**
 * "gfs2-5.15: gfs2 before the fix (≤ 5.15)". A variant whose behaviour no
 * report confirms says so once: its title may already call it hypothetical.
 */
export function variantText(v: Variant): string {
  const title = `${v.id}: ${v.title}`;
  return v.inferred && !/hypothetical|inferred/i.test(v.title) ? `${title} (inferred)` : title;
}

/** The text of the option that stands for a schedule that is not one of the named interleavings. */
function unnamedText(loaded: LoadedSchedule, steps: number): string | null {
  switch (loaded.kind) {
    case 'named':
      return null;
    case 'link':
      return `from link: ${steps} steps as the link gives them`;
    case 'explored':
      return `from the explorer: shortest schedule to ${loaded.outcome} (${steps} steps)`;
    case 'custom':
      return `custom: ${steps} steps you scheduled`;
  }
}

export function ScenarioPicker({ onEdit }: { onEdit: () => void }) {
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const loaded = useFaultline((s) => s.loaded);
  const steps = useFaultline((s) => s.schedule.length);
  const selectScenario = useFaultline((s) => s.selectScenario);
  const selectVariant = useFaultline((s) => s.selectVariant);
  const loadSchedule = useFaultline((s) => s.loadSchedule);
  const ids = { scenario: useId(), variant: useId(), schedule: useId() };
  // An edited or imported scenario is not in the catalog; it still needs an entry to show as chosen.
  const custom = findPreset(scenario.id) !== scenario;
  const documented = scenario.schedules.filter((s) => s.expect[variant] !== undefined);
  // A named interleaving the sources do not document under this variant stays listed while it is the one loaded.
  const listed = scenario.schedules.filter((s) => s.expect[variant] !== undefined || (loaded.kind === 'named' && loaded.name === s.name));
  const unnamed = unnamedText(loaded, steps);

  return (
    <div className="pickers" role="group" aria-label="Scenario, kernel and interleaving">
      <span className="picker picker-scenario">
        <label htmlFor={ids.scenario}>Scenario</label>
        <select id={ids.scenario} value={custom ? '' : scenario.id} onChange={(e) => e.target.value !== '' && selectScenario(e.target.value)}>
          {custom && (
            <option value="">
              custom: {scenario.id}: {scenario.title}
            </option>
          )}
          {PRESETS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id}: {s.title}
            </option>
          ))}
        </select>
        <button type="button" onClick={onEdit} aria-label="Edit scenario" title="Open the scenario editor on this scenario">
          Edit
        </button>
      </span>
      <span className="picker">
        <label htmlFor={ids.variant}>Kernel</label>
        <select id={ids.variant} value={variant} onChange={(e) => selectVariant(e.target.value as VariantId)}>
          {VARIANTS.filter((x) => scenario.variants.includes(x.id)).map((x) => (
            <option key={x.id} value={x.id}>
              {variantText(x)}
            </option>
          ))}
        </select>
      </span>
      <span className="picker">
        <label htmlFor={ids.schedule}>Interleaving</label>
        <select id={ids.schedule} value={loaded.kind === 'named' ? loaded.name : ''} onChange={(e) => e.target.value !== '' && loadSchedule(e.target.value)}>
          {unnamed !== null && <option value="">{unnamed}</option>}
          {listed.map((s) => (
            <option key={s.name} value={s.name} title={s.description}>
              {s.name} ({s.expect[variant] !== undefined ? `documented for ${variant}` : `not documented for ${variant}`}): {s.description}
            </option>
          ))}
          {documented.length === 0 && unnamed === null && listed.length === 0 && <option value="">no interleaving documented for {variant}</option>}
        </select>
      </span>
    </div>
  );
}
