/**
 * The outcome at the cursor, in kernel words, next to what the sources
 * document for this scenario and variant, and what the model simplifies.
 */
import { SIMPLIFICATIONS } from '../kernel/simplifications.ts';
import { describeOutcome, outcomeOf, partialDeadlock } from '../sim/outcome.ts';
import { useCurrentState, useFaultline } from './store-context.tsx';

export function OutcomeBanner() {
  const state = useCurrentState();
  const cursor = useFaultline((s) => s.cursor);
  const total = useFaultline((s) => s.schedule.length);
  const scenario = useFaultline((s) => s.scenario);
  const variant = useFaultline((s) => s.variant);
  const outcome = state === undefined ? null : outcomeOf(state);
  const partial = state === undefined || outcome !== null ? null : partialDeadlock(state);
  const expected = scenario.schedules.map((s) => s.expect[variant]).find((e) => e !== undefined);

  return (
    <section className="outcome-area" aria-label="Outcome">
      {outcome !== null ? (
        <div className={`outcome outcome-${outcome.kind}`} role="status">
          <strong>{describeOutcome(outcome)}</strong>
          {outcome.kind === 'bug' && <pre className="bug-log">{outcome.log.join('\n')}</pre>}
          {outcome.kind === 'sigbus' && outcome.notes.length > 0 && <p>{outcome.notes.join('; ')}</p>}
        </div>
      ) : (
        <div className="outcome outcome-running" role="status">
          {partial !== null ? <strong>{partial.message}</strong> : <>Step {cursor} of {total}: running</>}
          {state !== undefined && state.signals.length > 0 && <p>{state.signals.map((s) => s.message).join('; ')}</p>}
        </div>
      )}
      {expected !== undefined && (
        <p className="expected">
          Documented outcome ({expected.basis === 'verified' ? 'verified in the sources' : 'inferred from the code; no report found'}): {expected.summary}
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
    </section>
  );
}
