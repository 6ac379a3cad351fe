/**
 * A preset replayed under one variant: its story, the outcome the sources
 * document, and every atomic step the engine takes, nested by frame. The
 * engine decides; this component only renders what `replay` returns.
 */
import { useId, useMemo, useState } from 'react';
import { SIMPLIFICATIONS } from '../kernel/simplifications.ts';
import { VARIANTS, findVariant, type VariantId } from '../kernel/variants.ts';
import { buildSetup } from '../scenarios/build.ts';
import { DEFAULT_SCENARIO_ID, PRESETS, findPreset } from '../scenarios/index.ts';
import { describeOutcome } from '../sim/outcome.ts';
import { replay } from '../sim/replay.ts';

function firstScenario() {
  const scenario = findPreset(DEFAULT_SCENARIO_ID) ?? PRESETS[0];
  if (scenario === undefined) throw new Error('the preset catalog is empty');
  return scenario;
}

export function ReplayView() {
  const [scenarioId, setScenarioId] = useState(DEFAULT_SCENARIO_ID);
  const scenario = findPreset(scenarioId) ?? firstScenario();
  const [variantChoice, setVariant] = useState<VariantId>(scenario.variants[0] ?? 'gfs2-5.15');
  const variant = scenario.variants.includes(variantChoice) ? variantChoice : (scenario.variants[0] ?? variantChoice);
  const schedule = scenario.schedules.find((s) => s.expect[variant] !== undefined) ?? scenario.schedules[0];
  const expected = schedule?.expect[variant];
  const run = useMemo(() => replay(buildSetup(scenario), variant, schedule?.steps ?? [], { finish: true }), [scenario, variant, schedule]);
  const scenarioLabel = useId();
  const variantLabel = useId();

  return (
    <section aria-labelledby="scenario-title">
      <div className="pickers">
        <label htmlFor={scenarioLabel}>Scenario</label>
        <select id={scenarioLabel} value={scenario.id} onChange={(e) => setScenarioId(e.target.value)}>
          {PRESETS.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id}: {s.title}
            </option>
          ))}
        </select>
        <label htmlFor={variantLabel}>Kernel</label>
        <select id={variantLabel} value={variant} onChange={(e) => setVariant(e.target.value as VariantId)}>
          {VARIANTS.filter((v) => scenario.variants.includes(v.id)).map((v) => (
            <option key={v.id} value={v.id}>
              {v.id}: {v.title}
            </option>
          ))}
        </select>
      </div>

      <h2 id="scenario-title">{scenario.title}</h2>
      <p className="story">{scenario.story}</p>
      <p className="variant-summary">
        <strong>{findVariant(variant)?.title}</strong>: {findVariant(variant)?.summary}
      </p>

      {run.outcome !== null && (
        <div className={`outcome outcome-${run.outcome.kind}`} role="status" aria-label="Outcome">
          <strong>{describeOutcome(run.outcome)}</strong>
          {run.outcome.kind === 'bug' && <pre className="bug-log">{run.outcome.log.join('\n')}</pre>}
        </div>
      )}
      {expected !== undefined && (
        <p className="expected">
          Documented outcome ({expected.basis === 'verified' ? 'verified in the sources' : 'inferred from the code'}): {expected.summary}
        </p>
      )}
      <details className="simplifications">
        <summary>What the model simplifies</summary>
        <ul>
          {SIMPLIFICATIONS.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      </details>

      <h3>
        Steps {schedule !== undefined && <span className="schedule-name">(schedule “{schedule.name}”, then round-robin)</span>}
      </h3>
      <ol className="trace" aria-label="Steps">
        {run.trace.map((t, i) => (
          <li key={i} className={`step depth-${Math.min(t.depth, 5)}`}>
            <span className="pid">pid {t.pid}</span>
            <span className="label">{t.label}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
