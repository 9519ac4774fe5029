import escapeHtml from 'escape-html';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { EmailContent } from '../../../domain/notifications/delegate-email.js';
import { message, textDirection } from '../../../domain/notifications/messages/index.js';
import { qrCodePng } from '../documents/qr-code.js';

/** The Content-ID of the check-in QR code image, shown inline by the HTML part. */
export const CHECK_IN_QR_CID = 'check-in-code@learning-cities';

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
<html lang="${content.language}" dir="${textDirection(content.language)}"><head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40em">
<p>${escapeHtml(content.paragraphs[0] ?? '')}</p>
<p><strong>${escapeHtml(content.paragraphs[1] ?? '')}</strong></p>
<table>${content.facts
  .map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`)
  .join('')}</table>
${content.checkInCode ? `<p><img src="cid:${CHECK_IN_QR_CID}" alt="${escapeHtml(message(content.language, 'fact.checkInCode'))}" width="240" height="240"></p>` : ''}
${content.paragraphs
  .slice(2)
  .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
  .join('\n')}
</body></html>`;

/** A file sent with the message (a visa letter's PDF). */
export interface Attachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

/**
 * SES v2 takes raw messages up to 40 MB after encoding; base64 makes an attachment a third larger. A
 * visa letter is about 100 KB: this bound is far off, and a message past it is refused here, not by SES.
 */
export const MAX_ATTACHMENTS_BYTES = 10 * 1024 * 1024;

/**
 * The RFC 5322 message (plain text + HTML alternatives, the attachments, and the check-in QR code as an
 * inline PNG when the content has a code): saved as .eml locally, sent raw by SES v2.
 */
export const composeEmail = async (
  content: EmailContent,
  from: string,
  to: Recipient,
  messageId: string,
  attachments: readonly Attachment[] = [],
): Promise<Buffer> => {
  const bytes = attachments.reduce((sum, attachment) => sum + attachment.content.length, 0);
  if (bytes > MAX_ATTACHMENTS_BYTES)
    throw new Error(
      `Attachments of ${bytes} bytes exceed the ${MAX_ATTACHMENTS_BYTES} bytes an email may carry`,
    );
  return new MailComposer({
    from,
    to: { name: to.name, address: to.address },
    subject: content.subject,
    text: toText(content),
    html: toHtml(content),
    messageId,
    attachments: [
      ...attachments.map((attachment) => ({ ...attachment })),
      ...(content.checkInCode
        ? [
            {
              filename: 'check-in-code.png',
              content: await qrCodePng(content.checkInCode),
              contentType: 'image/png',
              cid: CHECK_IN_QR_CID,
              contentDisposition: 'inline' as const,
            },
          ]
        : []),
    ],
  })
    .compile()
    .build();
};
