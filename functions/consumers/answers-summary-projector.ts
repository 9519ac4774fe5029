import { openedEventStore } from '../shared/event-store/stores.js';
import { eventCodec, usePersonalData, useSensitiveData } from '../shared/personal-data/personal-data.js';
import { answersSummaryProjection } from '../shared/projections/projections.js';
import { projectorConsumer } from '../shared/projections/projector-consumer.js';

// Granted the registrations' personal data and sensitive answers' key (infra/definitions): it reads the
// tallies sealed beside the answers, and writes counts only.
useSensitiveData();
usePersonalData();

export const handler = projectorConsumer(answersSummaryProjection, {
  open: (envelope) => eventCodec(true).open(envelope),
  store: openedEventStore(),
});
