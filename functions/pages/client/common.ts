import type { PageData } from '../page.js';
import type { PageStringId } from '../strings.js';

/** What the page's HTML gave its script: its language, its words and the ids it works on. */
export const pageData = <T extends PageData>(): T =>
  JSON.parse(document.getElementById('page-data')?.textContent ?? '{}') as T;

const data = pageData();

/** A word of the page in its language. */
export const t = (id: PageStringId): string => data.strings[id];

type Child = Node | string | undefined | false;

/** An element with its attributes and children; text is always text, never parsed as HTML. */
export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
};

/** Tells a screen reader (and shows) what just happened. */
export const announce = (text: string) => {
  const announcer = document.getElementById('announcer');
  if (announcer) announcer.textContent = text;
};

export interface Problem {
  title?: string;
  detail?: string;
  status?: number;
  errors?: { path: string; message: string }[];
}

export interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** The API, on the page's own origin: the pages are its clients, never a second set of rules. */
export const api = async <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer<T>> => {
  const response = await fetch(path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed as T };
};

/** A fresh Idempotency-Key: a retried click never does a thing twice. */
export const idempotencyKey = () => ({ 'idempotency-key': crypto.randomUUID() });

/**
 * Shows the server's verdict on a form: each error next to its field (by `name` = the error's path),
 * marked invalid and described by its message, the first one focused; errors without a field at the top.
 */
export const showProblem = (form: HTMLFormElement, problem: Problem, summary: HTMLElement) => {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const invalid of form.querySelectorAll('[aria-invalid]')) {
    invalid.removeAttribute('aria-invalid');
    invalid.removeAttribute('aria-describedby');
  }
  const unplaced: string[] = [];
  let first: HTMLElement | undefined;
  for (const error of problem.errors ?? []) {
    const control = form.querySelector<HTMLElement>(`[name="${CSS.escape(error.path)}"]`);
    if (!control) {
      unplaced.push(`${error.path}: ${error.message}`);
      continue;
    }
    const id = `error-${error.path.replace(/[^\w-]/g, '-')}`;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', id);
    const message = el('p', { id, class: 'error field-error' }, error.message);
    (control.closest('fieldset') ?? control.closest('label') ?? control).after(message);
    first ??= control;
  }
  summary.textContent = [
    problem.errors?.length ? t('fixErrors') : (problem.detail ?? problem.title ?? t('failed')),
    ...unplaced,
  ].join(' ');
  summary.hidden = false;
  (first ?? summary).focus();
};

/** A labelled input; `name` is the path the API names in its errors. */
export const field = (
  name: string,
  label: string,
  options: { type?: string; required?: boolean; value?: string; hint?: string; autocomplete?: string } = {},
) => {
  const id = `field-${name.replace(/[^\w-]/g, '-')}`;
  return el(
    'label',
    { for: id },
    label,
    options.required ? el('span', { class: 'hint' }, ` (${t('required')})`) : undefined,
    options.hint ? el('span', { class: 'hint', id: `${id}-hint` }, ` ${options.hint}`) : undefined,
    el('input', {
      id,
      name,
      type: options.type ?? 'text',
      required: options.required,
      value: options.value,
      autocomplete: options.autocomplete,
    }),
  );
};

/** The values of a form's named inputs, as the API takes them (checkboxes true/false, empty left out). */
export const formValues = (form: HTMLFormElement): Record<string, unknown> => {
  const values: Record<string, unknown> = {};
  for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
    'input[name], select[name], textarea[name]',
  )) {
    if (control.closest('[hidden]')) continue;
    if (control instanceof HTMLInputElement && control.type === 'checkbox') {
      if (control.dataset.multi) {
        const list = (values[control.name] as string[] | undefined) ?? [];
        if (control.checked) list.push(control.value);
        values[control.name] = list;
      } else values[control.name] = control.checked;
      continue;
    }
    if (control instanceof HTMLInputElement && control.type === 'radio') {
      if (control.checked) values[control.name] = control.value;
      continue;
    }
    if (control.value.trim() === '') continue;
    values[control.name] =
      control instanceof HTMLInputElement && control.type === 'number'
        ? Number(control.value)
        : control.value;
  }
  return values;
};

/** A confirmation step: the question, then "yes" runs `action`, "no" puts the button back. */
export const confirmStep = (button: HTMLButtonElement, question: string, action: () => Promise<void>) => {
  button.addEventListener('click', () => {
    const box = el(
      'div',
      { role: 'group', 'aria-label': question, class: 'notice' },
      el('p', {}, question),
      el('button', { type: 'button', class: 'danger', 'data-answer': 'yes' }, t('yes')),
      ' ',
      el('button', { type: 'button', class: 'secondary', 'data-answer': 'no' }, t('no')),
    );
    button.hidden = true;
    button.after(box);
    const [yes, no] = box.querySelectorAll('button');
    yes?.focus();
    no?.addEventListener('click', () => {
      box.remove();
      button.hidden = false;
      button.focus();
    });
    yes?.addEventListener('click', async () => {
      box.remove();
      await action();
    });
  });
};
