import { delegationQuotaKey, placesHeldOf } from '../../domain/delegation/quota.js';
import { loadDelegation } from '../shared/commands/delegations.js';
import { eventStore } from '../shared/event-store/stores.js';
import { authorizeDelegationCaller } from '../shared/http/delegation-token.js';
import { httpRoute, pathId } from '../shared/http/http.js';
import { allRegistrants } from '../shared/projections/registrant-list.js';

/**
 * CONTRACT 5.3: a delegation as the organizer or its focal point sees it: its quota and the places held
 * (members and open invitations, from the quota's guard item), its members from the registrant list (by
 * family name; within seconds of a change), the head of delegation and the credentials status.
 */
export const handler = httpRoute('public', async (request) => {
  const conferenceId = pathId(request, 'conferenceId');
  const delegationId = pathId(request, 'delegationId');
  await authorizeDelegationCaller(request, conferenceId, delegationId);
  const [delegation, guards] = await Promise.all([
    loadDelegation(conferenceId, delegationId),
    eventStore().guardItems([delegationQuotaKey(delegationId)]),
  ]);
  const members = [];
  for await (const row of allRegistrants(conferenceId, { delegationId }, { sort: 'familyName' }))
    members.push({
      registrationId: row.registrationId,
      givenName: row.givenName,
      familyName: row.familyName,
      country: row.country,
      category: row.category,
      status: row.status,
      ...(row.registrationId === delegation.headOfDelegation ? { head: true } : {}),
    });
  return {
    status: 200,
    headers: { 'cache-control': 'no-store' },
    body: {
      delegationId,
      name: delegation.name,
      ...(delegation.country === undefined ? {} : { country: delegation.country }),
      ...(delegation.organization === undefined ? {} : { organization: delegation.organization }),
      quota: delegation.quota,
      placesHeld: placesHeldOf(guards.get(delegationQuotaKey(delegationId))),
      members,
      ...(delegation.headOfDelegation === undefined ? {} : { headOfDelegation: delegation.headOfDelegation }),
      credentials: delegation.credentials,
    },
  };
});
