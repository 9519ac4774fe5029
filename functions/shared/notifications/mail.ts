import escapeHtml from 'escape-html';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { EmailContent } from '../../../domain/notifications/delegate-email.js';

export interface Recipient {
  name: string;
  address: string;
}

const toText = (content: EmailContent) =>
  [
    content.paragraphs[0],
    '',
    content.paragraphs[1],
    '',
    ...content.facts.map(([label, value]) => `${label}: ${value}`),
    '',
    ...content.paragraphs.slice(2).flatMap((paragraph) => [paragraph, '']),
  ].join('\n');

const toHtml = (content: EmailContent) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40em">
<p>${escapeHtml(content.paragraphs[0] ?? '')}</p>
<p><strong>${escapeHtml(content.paragraphs[1] ?? '')}</strong></p>
<table>${content.facts
  .map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
  .join('')}</table>
${content.paragraphs
  .slice(2)
  .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
  .join('\n')}
</body></html>`;

/** The RFC 5322 message (plain text + HTML alternatives): saved as .eml locally, sent raw by SES v2. */
export const composeEmail = (
  content: EmailContent,
  from: string,
  to: Recipient,
  messageId: string,
): Promise<Buffer> =>
  new MailComposer({
    from,
    to: { name: to.name, address: to.address },
    subject: content.subject,
    text: toText(content),
    html: toHtml(content),
    messageId,
  })
    .compile()
    .build();
