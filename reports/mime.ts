// A MIME message for Graph's sendMail in MIME form ("user: sendMail", api-reference/v1.0/api/user-sendmail.md):
// the headers and content, base64-encoded, as a text/plain request body. Graph's JSON form takes a body
// that is either Text or HTML, never both; MIME carries both as multipart/alternative, so mail clients that
// show only text get summary.md and the rest get the HTML.
//
// Written by hand: the project has no MIME library (nodemailer's mail composer would do it); this builds
// only what the summary email needs: RFC 2047 encoded-word headers, base64 parts with 76-character lines
// (RFC 2045 6.8), multipart/mixed around multipart/alternative, and attachments.
import { randomBytes } from 'node:crypto';

export interface MimeAttachment {
  name: string;
  contentType: string;
  content: Buffer;
}

export interface MimeMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments?: MimeAttachment[];
  /** For tests: fixed boundaries and date. */
  date?: Date;
}

const ADDRESS = /^[^@\s"<>,;]+@[^@\s"<>,;]+$/;

function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** A header value as an RFC 2047 encoded word when it is not plain ASCII (UTF-8, base64). */
function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex -- line breaks in a header would start a new header
  const oneLine = value.replace(/[\u0000-\u001F\u007F]+/g, ' ');
  return /^[\x20-\x7E]*$/.test(oneLine) ? oneLine : `=?UTF-8?B?${Buffer.from(oneLine, 'utf8').toString('base64')}?=`;
}

function fileName(name: string): string {
  return name.replace(/["\\\r\n]/g, '_');
}

export function buildMime(m: MimeMessage): string {
  for (const a of [m.from, ...m.to]) if (!ADDRESS.test(a)) throw new Error(`"${a}" is not an email address`);
  const mixed = `mixed_${randomBytes(12).toString('hex')}`;
  const alt = `alt_${randomBytes(12).toString('hex')}`;
  const lines = [
    `From: ${m.from}`,
    `To: ${m.to.join(', ')}`,
    `Subject: ${headerText(m.subject)}`,
    `Date: ${(m.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    'Content-Type: text/plain; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(Buffer.from(m.text, 'utf8')),
    `--${alt}`,
    'Content-Type: text/html; charset="utf-8"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(Buffer.from(m.html, 'utf8')),
    `--${alt}--`,
  ];
  for (const a of m.attachments ?? []) {
    lines.push(
      `--${mixed}`,
      `Content-Type: ${a.contentType}; name="${fileName(a.name)}"`,
      `Content-Disposition: attachment; filename="${fileName(a.name)}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(a.content),
    );
  }
  lines.push(`--${mixed}--`, '');
  return lines.join('\r\n');
}

/** The sendMail request body for a MIME message: the whole message base64-encoded. */
export function sendMailMimeBody(mime: string): string {
  return Buffer.from(mime, 'utf8').toString('base64');
}
