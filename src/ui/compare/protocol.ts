/** Messages between the page and the compare worker. */
import type { VariantId } from '../../kernel/variants.ts';
import type { Scenario } from '../../scenarios/types.ts';
import type { ExploreProgress, ExploreResult } from '../../sim/explore/explore.ts';

export interface CompareRequest {
  readonly scenario: Scenario;
  readonly before: VariantId;
  readonly after: VariantId;
  readonly maxStates: number;
}

export type CompareMessage =
  | { readonly type: 'progress'; readonly variant: VariantId; readonly progress: ExploreProgress }
  | { readonly type: 'done'; readonly before: ExploreResult; readonly after: ExploreResult }
  | { readonly type: 'error'; readonly message: string };
