import { delegateCountsProjection } from '../shared/projections/projections.js';
import { projectorConsumer } from '../shared/projections/projector-consumer.js';

// A delivered batch of registrations is one transaction: their rows and the summary's counters summed.
export const handler = projectorConsumer(delegateCountsProjection);
