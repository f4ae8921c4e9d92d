// Names for the archive in SharePoint. SharePoint and OneDrive refuse " * : < > ? / \ | in names, leading
// or trailing spaces and dots, and Windows device names; we also refuse anything that could climb out of
// the archive folder. # and % are allowed by SharePoint Online today but break older clients and
// double-decoding proxies, so they go too. Every name a mailbox or drive supplies goes through here.
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';

// Control characters are matched on purpose: they are illegal in SharePoint names.
// eslint-disable-next-line no-control-regex
const ILLEGAL = /["*:<>?/\\|#%\u0000-\u001f\u007f]/g;
const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|desktop\.ini|_vti_)$/i;
export const MAX_SEGMENT = 120;

/** One path segment: illegal characters replaced, trimmed, never empty, never reserved, length-capped. */
export function safeSegment(raw: string, fallback = 'untitled'): string {
  let s = raw.normalize('NFC').replace(ILLEGAL, '_').replace(/\s+/g, ' ');
  s = s.replace(/^[\s.]+|[\s.]+$/g, '');
  // A name made only of illegal characters says nothing; use the fallback rather than "____".
  if (!s || /^_+$/.test(s)) s = fallback;
  // "~$" marks Office lock files, which SharePoint hides.
  if (s.startsWith('~$')) s = `_${s.slice(1)}`;
  const stem = s.split('.')[0];
  if (RESERVED.test(stem) || RESERVED.test(s)) s = `_${s}`;
  if (s.length > MAX_SEGMENT) s = s.slice(0, MAX_SEGMENT).replace(/[\s.]+$/, '');
  return s;
}

/** A relative path below the archive folder: each segment made safe; '..' and absolute paths cannot escape. */
export function safeRelativePath(segments: string[]): string {
  return segments.map((seg) => safeSegment(seg === '..' || seg === '.' ? '_' : seg)).join('/');
}

/**
 * The folder for one councillor's archive, e.g. "Cllr Jo Smith (jo.smith) – term ended 2026-05-07": the
 * UPN's local part tells apart two councillors with the same name and term end. A long display name is
 * shortened, never the part that is the person's. `suffix` (a reference) is added when the plain name is
 * taken by another surrender.
 */
export function archiveFolderName(displayName: string, termEnd: string, userPrincipalName: string, suffix?: string): string {
  const local = safeSegment(userPrincipalName.split('@')[0] ?? '', 'councillor').slice(0, 64);
  const tail = ` (${local}) – term ended ${DateTime.fromISO(termEnd).toISODate()}${suffix ? ` – ${safeSegment(suffix)}` : ''}`;
  const name = safeSegment(displayName, 'Councillor').slice(0, Math.max(10, MAX_SEGMENT - tail.length)).replace(/[\s.]+$/, '');
  return safeSegment(`${name}${tail}`, 'Councillor');
}

/**
 * A message's file name: received date + sanitised subject + a short id, unique within its folder
 * (duplicate subjects differ by the id; the id is stable, so a restart makes the same name). The
 * rare two ids whose short hashes collide in one folder get a longer one (idLength).
 */
export function messageFileName(receivedIso: string, subject: string, messageId: string, idLength = 8): string {
  const received = DateTime.fromISO(receivedIso, { zone: 'utc' });
  const when = received.isValid ? received.toFormat("yyyy-MM-dd'T'HHmm") : 'undated';
  const shortId = createHash('sha256').update(messageId).digest('hex').slice(0, idLength);
  const subjectPart = safeSegment(subject, 'no subject').slice(0, MAX_SEGMENT - 30).replace(/[\s.]+$/, '');
  return `${when} ${subjectPart} ${shortId}.eml`;
}

/** Longest folder segment in an archive path: SharePoint caps a whole path at 400 characters. */
export const MAX_FOLDER_SEGMENT = 60;

/**
 * Safe, unique names for siblings (mail folders under one parent, files in one folder): SharePoint
 * compares names without case, so "Budget" and "budget", or "a:b" and "a_b", would land in one folder.
 * Later siblings get " (2)", " (3)"; the caller passes siblings in a stable order (by id) so a restart
 * makes the same names.
 */
export function uniqueSegments(raws: string[], fallback = 'untitled', max = MAX_SEGMENT): string[] {
  const taken = new Set<string>();
  return raws.map((raw) => {
    const base = safeSegment(raw, fallback).slice(0, max).replace(/[\s.]+$/, '') || fallback;
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base} (${n})`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** A drive path, each segment percent-encoded, for /items/{id}:/{path}: addressing. */
export function encodePath(path: string): string {
  return path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}
