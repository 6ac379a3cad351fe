/**
 * Importing a lockdep report in a Web Worker: parsing is instant, but the
 * verdict explores every interleaving of the tasks (and of the variants that
 * would close the cycle), which must not freeze the page. Same engine code
 * as `cli import-lockdep`.
 */
import { DEFAULT_VERDICT_LIMITS } from '../../scenarios/lockdep-import/verdict.ts';
import { importLockdep } from '../../scenarios/lockdep-import/view.ts';
import type { ImportMessage, ImportRequest } from './protocol.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<ImportRequest>) => void) | null;
  postMessage(message: ImportMessage): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const result = importLockdep(event.data.text, { ...DEFAULT_VERDICT_LIMITS, now: () => performance.now() });
  if (!result.ok) {
    scope.postMessage({ type: 'refused', message: result.message });
    return;
  }
  const v = result.judged.verdict;
  scope.postMessage({ type: 'done', view: result.view, open: result.judged.open, deadlock: v.kind === 'deadlock' || (v.kind === 'no-deadlock' && v.closing !== null) });
};
