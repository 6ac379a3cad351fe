/** Messages between the page and the lockdep-import worker. */
import type { Pid } from '../../kernel/ids.ts';
import type { VariantId } from '../../kernel/variants.ts';
import type { ImportView } from '../../scenarios/lockdep-import/view.ts';
import type { Scenario } from '../../scenarios/types.ts';

export interface ImportRequest {
  readonly text: string;
}

export type ImportMessage =
  | { readonly type: 'done'; readonly view: ImportView; readonly open: { readonly scenario: Scenario; readonly variant: VariantId; readonly schedule: readonly Pid[] }; readonly deadlock: boolean }
  | { readonly type: 'refused'; readonly message: string };
