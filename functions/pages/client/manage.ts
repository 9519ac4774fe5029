import QRCode from 'qrcode';
import type { PageData } from '../page.js';
import type { PageStringId } from '../strings.js';
import {
  announce,
  api,
  confirmStep,
  el,
  field,
  formValues,
  idempotencyKey,
  type Problem,
  pageData,
  showProblem,
  t,
} from './common.js';

interface ManageData extends PageData {
  conferenceId: string;
  registrationId: string;
}

interface Registration {
  registrationId: string;
  status: string;
  givenName: string;
  familyName: string;
  email: string;
  country: string;
  city: string;
  organization: string | null;
  category: string;
  language?: string;
  answers?: Record<string, unknown>;
  consentToPublish?: boolean;
}

const data = pageData<ManageData>();
const base = `/conferences/${data.conferenceId}/registrations/${data.registrationId}`;
const main = document.getElementById('main') as HTMLElement;
const content = document.getElementById('content') as HTMLElement;

/** The manage token from the URL's fragment: it never reaches a server or a proxy log. */
const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
const asDelegate = () => ({ 'x-manage-token': token });

/** Without a (working) token: say so, and offer the manage-link form that emails a new one. */
const askForLink = (reason: PageStringId) => {
  const form = el(
    'form',
    { novalidate: true },
    field('email', t('email'), { type: 'email', required: true, autocomplete: 'email' }),
    el('button', { type: 'submit' }, t('askLink')),
  );
  const summary = el('p', { class: 'error', hidden: true, tabindex: '-1' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answer = await api<Problem>(
      'POST',
      `/conferences/${data.conferenceId}/manage-link`,
      formValues(form),
      idempotencyKey(),
    );
    if (answer.status === 202) {
      form.replaceWith(el('p', { class: 'notice', role: 'status' }, t('linkSent')));
      return;
    }
    showProblem(form, answer.body ?? {}, summary);
  });
  content.replaceChildren(el('p', { class: 'notice', role: 'alert' }, t(reason)), summary, form);
};

/** A PDF the API answers to the delegate's token, offered as a download. */
const download = async (path: string, filename: string) => {
  const response = await fetch(path, { headers: asDelegate() });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as Problem;
    announce(problem.detail ?? t('failed'));
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = el('a', { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
};

const detailRows = (registration: Registration): [string, string][] => [
  [t('givenName'), registration.givenName],
  [t('familyName'), registration.familyName],
  [t('email'), registration.email],
  [t('country'), registration.country],
  [t('city'), registration.city],
  [t('organization'), registration.organization ?? '—'],
  [t('category'), registration.category],
  [t('listOfParticipants'), registration.consentToPublish ? t('published') : t('notPublished')],
];

const definitionList = (rows: [string, string][]) =>
  el('dl', {}, ...rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));

const correctionForm = (registration: Registration, refresh: () => Promise<void>) => {
  const form = el(
    'form',
    { novalidate: true, 'aria-labelledby': 'correct-heading' },
    field('givenName', t('givenName'), { value: registration.givenName, autocomplete: 'given-name' }),
    field('familyName', t('familyName'), { value: registration.familyName, autocomplete: 'family-name' }),
    field('city', t('city'), { value: registration.city, autocomplete: 'address-level2' }),
    field('organization', t('organization'), {
      value: registration.organization ?? '',
      autocomplete: 'organization',
    }),
    // Given or withdrawn here; ticked as the read back says it is now.
    el(
      'label',
      { for: 'field-consentToPublish' },
      el('input', {
        id: 'field-consentToPublish',
        type: 'checkbox',
        name: 'consentToPublish',
        checked: registration.consentToPublish === true,
      }),
      t('consentToPublish'),
    ),
    el('button', { type: 'submit' }, t('save')),
  );
  const summary = el('p', { class: 'error', hidden: true, tabindex: '-1' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = formValues(form);
    const before = registration as unknown as Record<string, unknown>;
    const changes = Object.fromEntries(
      Object.entries(values).filter(([name, value]) => before[name] !== value),
    );
    if (Object.keys(changes).length === 0) {
      announce(t('saved'));
      return;
    }
    const answer = await api<Problem>('POST', `${base}/details`, changes, {
      ...asDelegate(),
      ...idempotencyKey(),
    });
    if (answer.status === 200) {
      announce(t('saved'));
      await refresh();
      return;
    }
    showProblem(form, answer.body ?? {}, summary);
  });
  return el('section', {}, el('h2', { id: 'correct-heading' }, t('correct')), summary, form);
};

const visaRequestForm = () => {
  const form = el(
    'form',
    { novalidate: true, 'aria-labelledby': 'visa-heading' },
    field('passportName', t('passportName'), { required: true }),
    field('passportNumber', t('passportNumber'), { required: true }),
    field('nationality', t('nationality'), { required: true }),
    field('dateOfBirth', t('dateOfBirth'), { type: 'date', required: true }),
    field('passportExpiresOn', t('passportExpiresOn'), { type: 'date', required: true }),
    field('placeOfIssue', t('placeOfIssue')),
    el('button', { type: 'submit' }, t('requestLetter')),
  );
  const summary = el('p', { class: 'error', hidden: true, tabindex: '-1' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const answer = await api<Problem>('POST', `${base}/visa-letter`, formValues(form), {
      ...asDelegate(),
      ...idempotencyKey(),
    });
    if (answer.status === 202) {
      form.replaceWith(el('p', { class: 'notice', role: 'status' }, t('requested')));
      return;
    }
    showProblem(form, answer.body ?? {}, summary);
  });
  return el('section', {}, el('h2', { id: 'visa-heading' }, t('visaRequest')), summary, form);
};

/** Cancel and erase, each only after its confirmation step. */
const actions = (registration: Registration, refresh: () => Promise<void>) => {
  const cancel = el('button', { type: 'button', class: 'secondary' }, t('cancel'));
  const erase = el('button', { type: 'button', class: 'danger' }, t('erase'));
  confirmStep(cancel, t('cancelConfirm'), async () => {
    const answer = await api<Problem>('POST', `${base}/cancel`, undefined, {
      ...asDelegate(),
      ...idempotencyKey(),
    });
    announce(answer.status === 200 ? t('done') : (answer.body?.detail ?? t('failed')));
    await refresh();
  });
  confirmStep(erase, t('eraseConfirm'), async () => {
    const answer = await api<Problem>('POST', `${base}/erase`, undefined, {
      ...asDelegate(),
      ...idempotencyKey(),
    });
    if (answer.status === 200) {
      content.replaceChildren(el('p', { class: 'notice', role: 'status' }, t('erased')));
      announce(t('erased'));
      return;
    }
    announce(answer.body?.detail ?? t('failed'));
  });
  const active = ['registered', 'waitlisted', 'pending'].includes(registration.status);
  return el('section', {}, active ? cancel : undefined, ' ', erase);
};

const render = async () => {
  if (!token) return askForLink('noToken');
  const answer = await api<Registration & Problem>('GET', base, undefined, asDelegate());
  if (answer.status === 401 || answer.status === 403 || answer.status === 404 || answer.status === 410)
    return askForLink('badToken');
  if (answer.status !== 200) return announce(answer.body?.detail ?? t('failed'));
  const registration = answer.body;
  // The page speaks the delegate's language unless another was asked for.
  const asked = new URLSearchParams(location.search).get('lang');
  if (!asked && registration.language && registration.language !== data.language) {
    location.replace(`${location.pathname}?lang=${registration.language}${location.hash}`);
    return;
  }
  const refresh = render;
  const seatHolder = ['registered', 'checked-in'].includes(registration.status);
  const sections: (Node | string)[] = [
    el(
      'p',
      { class: 'notice' },
      el('strong', {}, `${t('status')}: `),
      t(`status.${registration.status}` as PageStringId) ?? registration.status,
    ),
    el('h2', {}, t('details')),
    definitionList(detailRows(registration)),
  ];
  if (registration.answers && Object.keys(registration.answers).length > 0)
    sections.push(
      el('h2', {}, t('answers')),
      definitionList(
        Object.entries(registration.answers).map(([id, value]) => [
          id,
          Array.isArray(value) ? value.join(', ') : String(value),
        ]),
      ),
    );
  const code = seatHolder
    ? await api<{ checkInCode?: string }>('GET', `${base}/check-in-code`, undefined, asDelegate())
    : undefined;
  const checkInCode = code?.status === 200 ? code.body.checkInCode : undefined;
  if (checkInCode) {
    const image = el('img', {
      src: await QRCode.toDataURL(checkInCode, { margin: 2, width: 240 }),
      width: '240',
      height: '240',
      alt: `${t('checkInCode')}: ${checkInCode}`,
    });
    sections.push(el('h2', {}, t('checkInCode')), image, el('p', {}, el('code', {}, checkInCode)));
  }
  if (seatHolder) {
    const badge = el('button', { type: 'button', class: 'secondary' }, t('badge'));
    badge.addEventListener('click', () => download(`${base}/badge.pdf`, 'badge.pdf'));
    const letter = el('button', { type: 'button', class: 'secondary' }, t('visaLetter'));
    letter.addEventListener('click', () => download(`${base}/visa-letter.pdf`, 'visa-letter.pdf'));
    sections.push(el('h2', {}, t('downloads')), badge, ' ', letter, visaRequestForm());
  }
  if (registration.status !== 'cancelled') sections.push(correctionForm(registration, refresh));
  sections.push(actions(registration, refresh));
  content.replaceChildren(...sections);
};

main.setAttribute('aria-busy', 'true');
render()
  .catch(() => announce(t('failed')))
  .finally(() => main.removeAttribute('aria-busy'));
