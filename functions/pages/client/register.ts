import { Validator } from '@cfworker/json-schema';
import { fieldShown } from '../../../domain/registration-form/conditions.js';
import type { FormField as DomainField } from '../../../domain/registration-form/form.js';
import type { PageData } from '../page.js';
import {
  announce,
  api,
  el,
  field,
  formValues,
  idempotencyKey,
  type Problem,
  pageData,
  showProblem,
  t,
} from './common.js';

interface RegisterData extends PageData {
  conferenceId: string;
  categories: string[];
  languages: string[];
  defaultLanguage: string;
}

type Text = string | Record<string, string>;

interface FormField {
  fieldId: string;
  type: string;
  label: Text;
  help?: Text;
  required?: boolean;
  categories?: string[];
  showIf?: unknown;
  options?: { optionId: string; label: Text }[];
  min?: number;
  max?: number;
}

interface ServedForm {
  version: number;
  fields: FormField[];
  jsonSchema: Record<string, unknown>;
}

const data = pageData<RegisterData>();
const textOf = (text: Text | undefined): string =>
  text === undefined
    ? ''
    : typeof text === 'string'
      ? text
      : (text[data.language] ?? text[data.defaultLanguage] ?? Object.values(text)[0] ?? '');

/** A language's own name in the page's language (Intl), e.g. "español" in Spanish, "Spanish" in English. */
const languageNames = new Intl.DisplayNames([data.language], { type: 'language' });

const select = (
  name: string,
  label: string,
  values: string[],
  required: boolean,
  chosen?: string,
  display: (value: string) => string = (value) => value,
) => {
  const id = `field-${name}`;
  return el(
    'label',
    { for: id },
    label,
    required ? el('span', { class: 'hint' }, ` (${t('required')})`) : undefined,
    el(
      'select',
      { id, name, required },
      ...(required ? [] : [el('option', { value: '' }, '—')]),
      ...values.map((value) => el('option', { value, selected: value === chosen }, display(value))),
    ),
  );
};

/** One question of the organizer's form, named `answers.<fieldId>` as the API names its errors. */
const questionOf = (question: FormField): HTMLElement => {
  const name = `answers.${question.fieldId}`;
  const label = textOf(question.label);
  const hint = question.help ? textOf(question.help) : undefined;
  const required = question.required ?? false;
  const choices = (type: 'radio' | 'checkbox', values: { value: string; label: string }[]) =>
    el(
      'fieldset',
      { 'data-question': question.fieldId },
      el('legend', {}, label, required ? el('span', { class: 'hint' }, ` (${t('required')})`) : undefined),
      hint ? el('p', { class: 'hint' }, hint) : undefined,
      ...values.map((choice, index) =>
        el(
          'label',
          { for: `${name}-${index}` },
          el('input', {
            id: `${name}-${index}`,
            type,
            name,
            value: choice.value,
            'data-multi': type === 'checkbox' ? 'true' : undefined,
          }),
          choice.label,
        ),
      ),
    );
  switch (question.type) {
    case 'single-choice':
      return choices(
        'radio',
        (question.options ?? []).map((option) => ({ value: option.optionId, label: textOf(option.label) })),
      );
    case 'multi-choice':
      return choices(
        'checkbox',
        (question.options ?? []).map((option) => ({ value: option.optionId, label: textOf(option.label) })),
      );
    case 'yes-no':
      return choices('radio', [
        { value: 'true', label: t('yes') },
        { value: 'false', label: t('no') },
      ]);
    case 'checkbox': {
      const wrapper = el('div', { 'data-question': question.fieldId });
      wrapper.append(
        el(
          'label',
          { for: `field-${name}` },
          el('input', { id: `field-${name}`, type: 'checkbox', name }),
          label,
          hint ? el('span', { class: 'hint' }, ` ${hint}`) : undefined,
        ),
      );
      return wrapper;
    }
    case 'textarea': {
      const id = `field-${name}`;
      return el(
        'div',
        { 'data-question': question.fieldId },
        el('label', { for: id }, label, hint ? el('span', { class: 'hint' }, ` ${hint}`) : undefined),
        el('textarea', { id, name, required, rows: '4' }),
      );
    }
    default: {
      const type = { number: 'number', date: 'date', email: 'email', phone: 'tel' }[question.type] ?? 'text';
      const wrapper = el('div', { 'data-question': question.fieldId });
      wrapper.append(field(name, label, { type, required, ...(hint ? { hint } : {}) }));
      return wrapper;
    }
  }
};

/** The API's body from the form: the delegate's fields, and the organizer's questions under `answers`. */
const bodyOf = (form: HTMLFormElement, questions: readonly FormField[]) => {
  const values = formValues(form);
  const body: Record<string, unknown> = {};
  const answers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (!name.startsWith('answers.')) {
      body[name] = value;
      continue;
    }
    const fieldId = name.slice('answers.'.length);
    const question = questions.find((q) => q.fieldId === fieldId);
    if (question?.type === 'multi-choice' && Array.isArray(value) && value.length === 0) continue;
    answers[fieldId] = question?.type === 'yes-no' ? value === 'true' : value;
  }
  if (Object.keys(answers).length > 0) body.answers = answers;
  return body;
};

/** A JSON Pointer of the schema validator (`/answers/diet`) as the API's error path (`answers.diet`). */
const pathOf = (pointer: string) => pointer.replace(/^#?\//, '').replaceAll('/', '.');

/** The invitation's code of the link the invitee was emailed (`?invitation=…`, CONTRACT 5.3), if any. */
const invitationCode = new URLSearchParams(location.search).get('invitation') ?? undefined;

/** The invitee's way to decline without registering (the email's decline link adds `decline=1`). */
const declineButton = (code: string) => {
  const button = el('button', { type: 'button' }, t('declineInvitation'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    announce(t('sending'));
    const answer = await api<Problem>(
      'POST',
      '/invitations/decline',
      { invitationCode: code },
      idempotencyKey(),
    );
    const main = document.getElementById('main') as HTMLElement;
    if (answer.status === 200) {
      const notice = el('p', { class: 'notice', tabindex: '-1' }, t('invitationDeclined'));
      main.replaceChildren(notice);
      notice.focus();
      announce(t('invitationDeclined'));
      return;
    }
    button.disabled = false;
    announce(answer.body?.detail ?? t('failed'));
  });
  return button;
};

const render = async () => {
  const form = document.getElementById('registration') as HTMLFormElement;
  if (invitationCode && new URLSearchParams(location.search).get('decline') === '1')
    form.before(declineButton(invitationCode));
  const summary = document.getElementById('form-errors') as HTMLElement;
  const served = await api<ServedForm>('GET', `/conferences/${data.conferenceId}/registration-form`);
  const questions = served.status === 200 ? served.body.fields : [];
  const schema = served.status === 200 ? served.body.jsonSchema : undefined;

  form.append(
    field('givenName', t('givenName'), { required: true, autocomplete: 'given-name' }),
    field('familyName', t('familyName'), { required: true, autocomplete: 'family-name' }),
    field('email', t('email'), { type: 'email', required: true, autocomplete: 'email' }),
    field('country', t('country'), { required: true, autocomplete: 'country' }),
    field('city', t('city'), { required: true, autocomplete: 'address-level2' }),
    field('organization', t('organization'), { autocomplete: 'organization' }),
    select('category', t('category'), data.categories, true),
    ...(data.languages.length > 1
      ? [
          select(
            'language',
            t('language'),
            data.languages,
            false,
            data.language,
            (code) => languageNames.of(code) ?? code,
          ),
        ]
      : []),
    ...questions.map(questionOf),
    // Optional, unticked by default: a seat holder is listed publicly only if they ask (CONTRACT 5.3).
    el(
      'label',
      { for: 'field-consentToPublish' },
      el('input', { id: 'field-consentToPublish', type: 'checkbox', name: 'consentToPublish' }),
      t('consentToPublish'),
    ),
    el(
      'label',
      { for: 'field-consent' },
      el('input', { id: 'field-consent', type: 'checkbox', name: 'consent', required: true }),
      t('consent'),
    ),
    el('button', { type: 'submit' }, t('submit')),
  );

  // Conditions live: each question shown only while the server would ask it (the domain's own rule).
  const typeOf = (fieldId: string) => questions.find((question) => question.fieldId === fieldId)?.type;
  const showAsked = () => {
    const body = bodyOf(form, questions);
    const answers = (body.answers ?? {}) as Record<string, unknown>;
    for (const question of questions) {
      const wrapper = form.querySelector<HTMLElement>(`[data-question="${CSS.escape(question.fieldId)}"]`);
      if (wrapper)
        wrapper.hidden = !fieldShown(
          question as unknown as DomainField,
          body.category as string,
          answers,
          typeOf,
        );
    }
  };
  form.addEventListener('input', showAsked);
  form.addEventListener('change', showAsked);
  showAsked();

  const validator = schema ? new Validator(schema as never, '2020-12', false) : undefined;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { ...bodyOf(form, questions), ...(invitationCode ? { invitationCode } : {}) };
    const verdict = validator?.validate(body);
    if (verdict && !verdict.valid) {
      const errors = verdict.errors
        .filter(
          (error) => error.keyword !== 'properties' && error.keyword !== 'if' && error.keyword !== 'allOf',
        )
        .map((error) => ({ path: pathOf(error.instanceLocation), message: error.error }));
      showProblem(form, { errors }, summary);
      return;
    }
    const button = form.querySelector('button[type=submit]') as HTMLButtonElement;
    button.disabled = true;
    announce(t('sending'));
    const answer = await api<Problem>(
      'POST',
      `/conferences/${data.conferenceId}/registrations`,
      body,
      idempotencyKey(),
    );
    button.disabled = false;
    if (answer.status === 202 || answer.status === 201) {
      const main = document.getElementById('main') as HTMLElement;
      const heading = el('h1', { tabindex: '-1' }, t('checkEmailTitle'));
      main.replaceChildren(heading, el('p', { class: 'notice' }, t('checkEmail')));
      heading.focus();
      announce(t('checkEmailTitle'));
      return;
    }
    showProblem(form, answer.body ?? {}, summary);
  });
};

render().catch(() => announce(t('failed')));
