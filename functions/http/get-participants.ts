import { byDelegationThenName, NO_DELEGATION } from '../../domain/documents/documents.js';
import { loadConference } from '../shared/commands/conference.js';
import { delegationNamesOf } from '../shared/commands/delegations.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { participantEntries } from '../shared/projections/registrant-list.js';

/**
 * CONTRACT 5.3: the public List of Participants: the seat holders who consented to publication, by
 * delegation (those of none last) then family name, and nothing else of them than given and family
 * name, organization, country and delegation. Read from the participant entries of the registrant list
 * (the personal read models: only a consenting seat holder has one, with those fields alone), so a
 * withdrawn consent or an erasure removes the person within seconds.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const [, entries] = await Promise.all([loadConference(conferenceId), participantEntries(conferenceId)]);
  const names = await delegationNamesOf(
    conferenceId,
    entries.flatMap((entry) => (entry.delegationId === undefined ? [] : [entry.delegationId])),
  );
  const participants = entries
    .map((entry) => ({
      delegation:
        entry.delegationId === undefined
          ? NO_DELEGATION
          : (names.get(entry.delegationId) ?? entry.delegationId),
      familyName: entry.familyName,
      givenName: entry.givenName,
      organization: entry.organization,
      country: entry.country,
    }))
    .sort(byDelegationThenName)
    .map(({ delegation, givenName, familyName, organization, country }) => ({
      givenName,
      familyName,
      organization,
      country,
      ...(delegation === NO_DELEGATION ? {} : { delegation }),
    }));
  // Public and cacheable briefly: a withdrawn consent is gone from the answer within seconds.
  return { status: 200, body: { participants }, headers: { 'cache-control': 'public, max-age=5' } };
});
