import { agendaProjection } from '../shared/projections/projections.js';
import { projectorConsumer } from '../shared/projections/projector-consumer.js';

export const handler = projectorConsumer(agendaProjection);
