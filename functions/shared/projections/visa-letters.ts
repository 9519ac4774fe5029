import { marshall } from '@aws-sdk/util-dynamodb';
import {
  type VisaDelegateRow,
  type VisaLetterListEntry,
  type VisaLetterRow,
  type VisaLettersRow,
  verificationLookup,
  visaLetterList,
} from '../../../domain/projections/visa-letters.js';
import { registrationStreamId } from '../../../domain/registration/decider.js';
import type { VisaLetterStatus } from '../../../domain/visa-letter/decider.js';
import { visaLetterStreamId } from '../../../domain/visa-letter/decider.js';
import { batchGetAll } from '../event-store/batch-get.js';
import { dynamoDb } from '../runtime/config.js';
import { verificationKeyOf, visaLettersProjection } from './projections.js';
import { readModelRows } from './read-model-rows.js';
import {
  generationPointer,
  readModelLookup,
  readModelPartition,
  readModelTable,
  rowKey,
} from './read-models.js';

/**
 * The review list of a conference: one Query of its letter rows, then the names of just those
 * registrations in batches of 100 (the registration rows of everyone else are not read).
 */
export const visaLettersOf = async (
  conferenceId: string,
  statuses: readonly VisaLetterStatus[],
): Promise<VisaLetterListEntry[]> => {
  const projection = visaLettersProjection.name;
  const letters = (
    await readModelRows<VisaLetterRow>(projection, conferenceId, visaLetterStreamId(''))
  ).filter((row) => row.kind === 'letter' && statuses.includes(row.status));
  if (letters.length === 0) return [];
  const { active } = await generationPointer(projection);
  const pk = readModelPartition(projection, active, conferenceId);
  const found = await batchGetAll(
    dynamoDb(),
    readModelTable(projection),
    [...new Set(letters.map((letter) => letter.registrationId))].map((registrationId) =>
      marshall({ pk, sk: rowKey(registrationStreamId(registrationId)) }),
    ),
    'Reading the names of visa letter requests',
  );
  const delegates = new Map<string, VisaDelegateRow>();
  for (const item of found) {
    const row = item.state as VisaDelegateRow | null | undefined;
    if (row?.kind === 'delegate') delegates.set(row.registrationId, row);
  }
  return visaLetterList(letters, delegates, statuses);
};

/** The issued letter a verification code belongs to, if it is known and not erased. */
export const letterVerifiedBy = async (verificationCode: string): Promise<VisaLetterRow | undefined> => {
  const found = (await readModelLookup(
    visaLettersProjection.name,
    verificationLookup(verificationKeyOf(verificationCode)),
  )) as VisaLettersRow | undefined;
  return found?.kind === 'letter' && found.status === 'issued' ? found : undefined;
};
