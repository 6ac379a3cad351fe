/**
 * The outcome at the cursor, in kernel words, next to what the sources
 * document for the interleaving that is loaded (or, when the loaded one is
 * not documented, for which other interleaving they document it). Sits in
 * the header: one line, with the BUG's kernel log folded under it.
 */
import { describeOutcome, outcomeOf, partialDeadlock } from '../sim/outcome.ts';
import type { Expectation, Scenario } from '../scenarios/types.ts';
import type { LoadedSchedule } from '../store/faultline.ts';
import type { VariantId } from '../kernel/variants.ts';
import { useCurrentState, useFaultline } from './store-context.tsx';

function basis(e: Expectation): string {
  return e.basis === 'verified' ? 'verified in the sources' : 'inferred from the code; no report found';
}

/** What the sources say, and about which interleaving: never an outcome that reads as the loaded run's when it is another's. */
export function documentedLine(scenario: Scenario, variant: VariantId, loaded: LoadedSchedule): string | null {
  if (loaded.kind === 'named') {
    const named = scenario.schedules.find((s) => s.name === loaded.name);
    const expected = named?.expect[variant];
    if (expected === undefined) return `The sources document no outcome of ${loaded.name} under ${variant}.`;
    return `Documented for this interleaving under ${variant} (${basis(expected)}): ${expected.summary}`;
  }
  const other = scenario.schedules.find((s) => s.expect[variant] !== undefined);
  const expected = other?.expect[variant];
  if (other === undefined || expected === undefined) return null;
  return `Documented for ${other.name} under ${variant}, not the interleaving loaded (${basis(expected)}): ${expected.summary}`;
}

export function OutcomeBanner() {
  const state = useCurrentState();
  const cursor = useFaultline((s) => s.cursor);
  const total = useFaultline((s) => s.schedule.length);
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const loaded = useFaultline((s) => s.loaded);
  const outcome = state === undefined ? null : outcomeOf(state);
  const partial = state === undefined || outcome !== null ? null : partialDeadlock(state);
  const documented = documentedLine(scenario, variant, loaded);

  return (
    <section className="outcome-area" aria-label="Outcome">
      {outcome !== null ? (
        <div className={`outcome outcome-${outcome.kind}`} role="status">
          <strong className="outcome-line" title={describeOutcome(outcome)}>
            {describeOutcome(outcome)}
          </strong>
          {outcome.kind === 'bug' && (
            <details className="bug-log">
              <summary>kernel log</summary>
              <pre>{outcome.log.join('\n')}</pre>
            </details>
          )}
          {outcome.kind === 'sigbus' && outcome.notes.length > 0 && <span className="outcome-notes">{outcome.notes.join('; ')}</span>}
        </div>
      ) : (
        <div className="outcome outcome-running" role="status">
          <span className="outcome-line">
            {partial !== null ? <strong>{partial.message}</strong> : <>Step {cursor} of {total}: running</>}
            {state !== undefined && state.signals.length > 0 && <> · {state.signals.map((s) => s.message).join('; ')}</>}
          </span>
        </div>
      )}
      {documented !== null && (
        <p className="expected" title={documented}>
          {documented}
        </p>
      )}
    </section>
  );
}
