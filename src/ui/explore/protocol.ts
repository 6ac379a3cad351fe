/** Messages between the page and the explorer worker. */
import type { VariantId } from '../../kernel/variants.ts';
import type { Scenario } from '../../scenarios/types.ts';
import type { ExploreProgress, ExploreResult } from '../../sim/explore/explore.ts';

export interface ExploreRequest {
  readonly scenario: Scenario;
  readonly variant: VariantId;
  readonly maxStates: number;
}

export type ExploreMessage = { readonly type: 'progress'; readonly progress: ExploreProgress } | { readonly type: 'done'; readonly result: ExploreResult; readonly summary: string };
