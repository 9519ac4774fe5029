import { manageLinkEmail } from '../../domain/notifications/registration-request-email.js';
import { DomainError } from '../../domain/shared/errors.js';
import { conferenceLanguages } from '../../domain/shared/languages.js';
import { commandMetadata } from '../shared/commands/command.js';
import { loadConference } from '../shared/commands/conference.js';
import { runCommand } from '../shared/commands/pipeline.js';
import { changeRegistration } from '../shared/commands/registrations.js';
import { idempotent } from '../shared/event-store/idempotency.js';
import { answerNoSoonerThan } from '../shared/http/answer-floor.js';
import { hashManageToken, newManageToken } from '../shared/http/auth.js';
import { httpRoute, parseBody, pathId } from '../shared/http/http.js';
import { negotiatedLanguage } from '../shared/http/language.js';
import { usePersonalData } from '../shared/personal-data/personal-data.js';
import {
  activeRegistrationOf,
  LINK_SENT,
  manageLink,
  recordAnswer,
} from '../shared/registration-requests/registration-requests.js';
import { sendRateLimited } from '../shared/registration-requests/request-emails.js';
import { manageLinkRequestSchema } from './api-schemas.js';

// Seals the new token's hash under the registration's data key.
usePersonalData();

/**
 * How soon the answer may leave, owner or stranger (milliseconds; MANAGE_LINK_ANSWER_FLOOR_MS may set another):
 * far above the owner's work (its rate item, the token's replacement and the email: tens of milliseconds
 * locally, a few hundred in the cloud), so that the delay of the same 202 says nothing about whether the
 * address is registered.
 */
const answerFloorMs = (): number => {
  const set = process.env.MANAGE_LINK_ANSWER_FLOOR_MS?.trim();
  return set && Number.isFinite(Number(set)) && Number(set) >= 0 ? Number(set) : 1_000;
};

/**
 * `POST /conferences/{conferenceId}/manage-link` (CONTRACT 5.1): the owner of an active registration gets
 * a new manage token by email (in the link's fragment), which replaces the old one. The answer is the same
 * 202 whether or not the address is registered; past the address's email rate, nothing changes. It serves
 * a v1 conference too: the owner of a direct registration who lost its token gets a new one the same way. Once the body
 * and the conference are checked, it answers no sooner than `answerFloorMs()`, owner or stranger.
 */
export const handler = httpRoute('public', (request) =>
  idempotent(request, async (idempotency) => {
    const conferenceId = pathId(request, 'conferenceId');
    const { email } = parseBody(request, manageLinkRequestSchema);
    const metadata = commandMetadata(request);
    const conference = await loadConference(conferenceId);
    // From here on the work depends on whether the address is registered; the answer does not.
    return answerNoSoonerThan(answerFloorMs(), async () => {
      const { emailKey, registrationId } = await activeRegistrationOf(conferenceId, email);
      if (registrationId === undefined) {
        await recordAnswer(idempotency, LINK_SENT, { ...metadata, conferenceId });
        return LINK_SENT;
      }
      const manageToken = newManageToken();
      await sendRateLimited(
        conference,
        emailKey,
        { name: '', address: email },
        'manage-link',
        async () => {
          // Replaced only when the email may go: the old token keeps working until a new one is sent.
          try {
            await runCommand(
              changeRegistration({
                conferenceId,
                registrationId,
                command: {
                  type: 'ReplaceManageToken',
                  manageTokenHash: hashManageToken(manageToken),
                  now: metadata.now,
                },
              }),
              { ...metadata, conferenceId, idempotency: () => idempotency.record(LINK_SENT) },
            );
          } catch (error) {
            // Cancelled or erased since the guard was read: no link, and the same answer as for a stranger.
            if (error instanceof DomainError) return undefined;
            throw error;
          }
          return manageLinkEmail(
            conference,
            registrationId,
            manageLink(conferenceId, registrationId, manageToken),
            negotiatedLanguage(request, conferenceLanguages(conference), { lenient: true }),
          );
        },
        new Date(metadata.now),
      );
      return LINK_SENT;
    });
  }),
);
