import {
  DEFAULT_PERSONAL_DATA_RETENTION_DAYS,
  DEFAULT_SENSITIVE_DATA_RETENTION_DAYS,
} from '../../../domain/conference/events.js';
import type { RetentionResult } from './retention.js';

const registrations = (count: number) => `${count} registration${count === 1 ? '' : 's'}`;

/**
 * What a retention run did, one line per conference past its retention (which, how many, and the
 * retention that applied), or one line saying nothing was due: the run is never silent.
 */
export const retentionSummary = (result: RetentionResult): string[] => {
  if (result.conferences.length === 0)
    return [`${result.today}: no conference is past its personal-data retention; nothing erased`];
  return result.conferences.map((conference) => {
    const setting = conference.sensitiveOnly ? 'sensitiveDataRetentionDays' : 'personalDataRetentionDays';
    const defaultDays = conference.sensitiveOnly
      ? DEFAULT_SENSITIVE_DATA_RETENTION_DAYS
      : DEFAULT_PERSONAL_DATA_RETENTION_DAYS;
    const retention = `${conference.retentionDays} days${conference.retentionDays === defaultDays ? ' (the default)' : ''}`;
    const what = conference.sensitiveOnly ? 'sensitive answers of ' : '';
    const others = [
      conference.alreadyErased > 0 ? `${conference.alreadyErased} already erased` : '',
      conference.failed > 0 ? `${conference.failed} failed, tried again on the next run` : '',
    ].filter((part) => part !== '');
    return (
      `${conference.acronym} (${conference.conferenceId}): ${what}${registrations(conference.erased)} erased` +
      `${others.length > 0 ? ` (${others.join(', ')})` : ''}, because it ended on ${conference.endDate} ` +
      `and its ${setting} is ${retention}: past its retention since ${conference.expiredOn}`
    );
  });
};
