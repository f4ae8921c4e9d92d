// Reports are written to a temporary folder beside the target and renamed into place, so a failed
// or killed run never leaves half a set of files where a supplier's pipeline will read them.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync, existsSync, mkdtempSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { FileText } from '../core/text-pieces';

/** Text given in pieces is written a piece at a time (core/text-pieces.ts). */
function writeText(path: string, content: FileText): void {
  if (typeof content === 'string') { writeFileSync(path, content); return; }
  const fd = openSync(path, 'w');
  try {
    for (const piece of content) writeSync(fd, piece);
  } finally {
    closeSync(fd);
  }
}

export function writeFilesAtomically(dir: string, files: Record<string, FileText>): void {
  const target = resolve(dir);
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(join(dirname(target), `.${basename(target)}.partial-`));
  try {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(staging, name)), { recursive: true });
      writeText(join(staging, name), content);
    }
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
}

export function slug(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'council';
}

export function writeFileAtomically(path: string, content: string): void {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.partial-${process.pid}`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, target);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
