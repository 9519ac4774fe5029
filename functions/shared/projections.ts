import {
  type DelegateCountsRow,
  delegateCountsChange,
  delegateCountsEventTypes,
  evolveDelegateCountsRow,
} from '../../domain/projections/delegate-counts.js';
import type { StreamProjection } from './projection-runner.js';

export const delegateCountsProjection: StreamProjection<DelegateCountsRow> = {
  name: 'delegate-counts',
  handles: delegateCountsEventTypes,
  evolveRow: evolveDelegateCountsRow,
  summaryChange: delegateCountsChange,
  tracksAsOf: true,
};
