/** Pick a preset and a kernel variant; read the story and what the sources say should happen. */
import { useId } from 'react';
import { VARIANTS, findVariant, type VariantId } from '../kernel/variants.ts';
import { PRESETS, findPreset } from '../scenarios/index.ts';
import { useFaultline } from './store-context.tsx';

export function ScenarioPicker() {
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const selectScenario = useFaultline((s) => s.selectScenario);
  const selectVariant = useFaultline((s) => s.selectVariant);
  const loadSchedule = useFaultline((s) => s.loadSchedule);
  const scenarioId = useId();
  const variantId = useId();
  const scheduleId = useId();
  const schedules = scenario.schedules.filter((s) => s.expect[variant] !== undefined);
  const v = findVariant(variant);
  // An edited or imported scenario is not in the catalog; it still needs an entry to show as chosen.
  const custom = findPreset(scenario.id) !== scenario;

  return (
    <section className="picker" aria-labelledby="scenario-title">
      <div className="pickers">
        <label htmlFor={scenarioId}>Scenario</label>
        <select id={scenarioId} value={custom ? '' : scenario.id} onChange={(e) => e.target.value !== '' && selectScenario(e.target.value)}>
          {custom && <option value="">custom: {scenario.id}: {scenario.title}</option>}
          {PRESETS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id}: {s.title}
            </option>
          ))}
        </select>
        <label htmlFor={variantId}>Kernel</label>
        <select id={variantId} value={variant} onChange={(e) => selectVariant(e.target.value as VariantId)}>
          {VARIANTS.filter((x) => scenario.variants.includes(x.id)).map((x) => (
            <option key={x.id} value={x.id}>
              {x.id}: {x.title}
              {x.inferred ? ' (hypothetical)' : ''}
            </option>
          ))}
        </select>
        <label htmlFor={scheduleId}>Interleaving</label>
        <select id={scheduleId} defaultValue="" key={`${scenario.id}/${variant}`} onChange={(e) => e.target.value !== '' && loadSchedule(e.target.value)}>
          <option value="">documented interleaving, then round-robin</option>
          {schedules.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name}: {s.description}
            </option>
          ))}
        </select>
      </div>
      <h2 id="scenario-title">{scenario.title}</h2>
      <p className="story">{scenario.story}</p>
      {v !== undefined && (
        <p className="variant-summary">
          <strong>{v.title}</strong>: {v.summary} <span className="source">({v.source})</span>
        </p>
      )}
    </section>
  );
}
