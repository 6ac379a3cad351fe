/**
 * The explorer in a Web Worker, so the page stays responsive. It is the same
 * engine code the CLI and the tests run; cancelling terminates the worker.
 */
import { buildSetup } from '../../scenarios/build.ts';
import { explore, summarize } from '../../sim/explore/explore.ts';
import type { ExploreMessage, ExploreRequest } from './protocol.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ExploreRequest>) => void) | null;
  postMessage(message: ExploreMessage): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { scenario, variant, maxStates } = event.data;
  const result = explore(buildSetup(scenario), variant, {
    maxStates,
    lockdep: true,
    now: () => performance.now(),
    progressEvery: 2000,
    onProgress: (progress) => {
      scope.postMessage({ type: 'progress', progress });
      return undefined;
    },
  });
  scope.postMessage({ type: 'done', result, summary: summarize(result) });
};
