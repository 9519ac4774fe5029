import { announce, api, el, idempotencyKey, type Problem, t } from './common.js';

interface Confirmed {
  registrationId: string;
  conferenceId: string;
  manageToken: string;
}

/**
 * The confirmation page: the GET that opened it changed nothing (a mail scanner that fetches the link
 * confirms nothing); only this button confirms, and then the delegate's page opens with the manage token
 * in its fragment, which no server or proxy ever sees.
 */
const button = document.getElementById('confirm') as HTMLButtonElement | null;
const token = new URLSearchParams(location.search).get('token') ?? '';
button?.addEventListener('click', async () => {
  button.disabled = true;
  announce(t('sending'));
  const answer = await api<Confirmed & Problem>(
    'POST',
    '/registrations/confirm',
    { token },
    idempotencyKey(),
  );
  if (answer.status === 201) {
    const { conferenceId, registrationId, manageToken } = answer.body;
    const lang = document.documentElement.lang;
    location.replace(
      `/conferences/${conferenceId}/registrations/${registrationId}/manage?lang=${lang}#token=${encodeURIComponent(manageToken)}`,
    );
    return;
  }
  const message =
    answer.status === 404 || answer.status === 400
      ? t('confirmInvalid')
      : (answer.body?.detail ?? answer.body?.title ?? t('failed'));
  const notice = el('p', { class: 'error', role: 'alert', tabindex: '-1' }, message);
  button.replaceWith(notice);
  notice.focus();
});
