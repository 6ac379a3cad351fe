/**
 * The Scenario view: the story from the seed threads, the kernel variant
 * and where its behaviour comes from, each named interleaving with what the
 * sources document under this variant, what the model simplifies, and the
 * sources.
 */
import { findVariant } from '../kernel/variants.ts';
import { SIMPLIFICATIONS } from '../kernel/simplifications.ts';
import { useFaultline } from './store-context.tsx';

export function ScenarioInfo() {
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const loaded = useFaultline((s) => s.loaded);
  const loadSchedule = useFaultline((s) => s.loadSchedule);
  const v = findVariant(variant);
  return (
    <section className="scenario-info panel" aria-labelledby="scenario-title">
      <h2 id="scenario-title">{scenario.title}</h2>
      <p className="story">{scenario.story}</p>
      {v !== undefined && (
        <p className="variant-summary">
          <strong>{v.title}</strong>: {v.summary} <span className="source">({v.source})</span>
        </p>
      )}
      <h3>Interleavings</h3>
      <ul className="interleavings">
        {scenario.schedules.map((s) => {
          const expected = s.expect[variant];
          const here = loaded.kind === 'named' && loaded.name === s.name;
          return (
            <li key={s.name}>
              <strong>{s.name}</strong>
              {here ? ' (loaded)' : ''}: {s.description}{' '}
              {expected !== undefined ? (
                <span className="expected">
                  Under {variant} ({expected.basis}): {expected.summary}
                </span>
              ) : (
                <span className="expected">Not documented under {variant}.</span>
              )}{' '}
              {!here && (
                <button type="button" onClick={() => loadSchedule(s.name)}>
                  Load {s.name}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <details className="simplifications">
        <summary>What the model simplifies</summary>
        <ul>
          {SIMPLIFICATIONS.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
      </details>
      {scenario.sources.length > 0 && (
        <>
          <h3>Sources</h3>
          <ul className="sources">
            {scenario.sources.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
