/**
 * Both variants of a comparison explored in a Web Worker: every
 * interleaving (no reduction, so a path is a schedule of atomic steps), with
 * path counts and lockdep. The same engine code the CLI and tests run.
 */
import { buildSetup } from '../../scenarios/build.ts';
import { explore } from '../../sim/explore/explore.ts';
import type { CompareMessage, CompareRequest } from './protocol.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<CompareRequest>) => void) | null;
  postMessage(message: CompareMessage): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { scenario, before, after, maxStates } = event.data;
  try {
    const setup = buildSetup(scenario);
    const run = (variant: typeof before) =>
      explore(setup, variant, {
        maxStates,
        reduction: 'none',
        paths: true,
        lockdep: true,
        now: () => performance.now(),
        progressEvery: 2000,
        onProgress: (progress) => {
          scope.postMessage({ type: 'progress', variant, progress });
          return undefined;
        },
      });
    scope.postMessage({ type: 'done', before: run(before), after: run(after) });
  } catch (error) {
    scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
