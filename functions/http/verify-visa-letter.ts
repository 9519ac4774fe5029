import { conferenceNameIn } from '../../domain/conference/decider.js';
import { verificationAnswer } from '../../domain/projections/visa-letters.js';
import { loadConference } from '../shared/commands/conference.js';
import { notFound } from '../shared/http/errors.js';
import { httpRoute } from '../shared/http/http.js';
import { letterVerifiedBy } from '../shared/projections/visa-letters.js';

/** A code as the issue route makes them (base64url of 16 or more random bytes); anything else is unknown. */
const CODE = /^[A-Za-z0-9_-]{16,128}$/;

/** One answer for a code never issued and for a letter whose registration was erased: nothing to tell apart. */
const unknownCode = () => notFound('No valid visa letter has this verification code');

export const handler = httpRoute('public', async (request) => {
  const code = request.pathParameters.verificationCode ?? '';
  if (!CODE.test(code)) throw unknownCode();
  const letter = await letterVerifiedBy(code);
  if (!letter) throw unknownCode();
  const conference = await loadConference(letter.conferenceId);
  const answer = verificationAnswer(letter, { ...conference, name: conferenceNameIn(conference) });
  if (!answer) throw unknownCode();
  return { status: 200, body: answer, headers: { 'cache-control': 'no-store' } };
});
