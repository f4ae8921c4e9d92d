// Pushed council configs (`councilguard config push`): each push is a new blob config/councils-<UTC
// instant>.json, never overwritten, and config/latest.json names the newest with who pushed it and its
// SHA-256. The function app reads them when COUNCILGUARD_CONFIG_SOURCE=blob (jobs/config-source.ts).
import { createHash } from 'node:crypto';
import type { Blobs } from './blobs';

export const CONFIG_CONTAINER = 'config';
const POINTER = 'latest.json';
const VERSION = /^councils-\d{8}T\d{6}\d{3}Z\.json$/;

export interface ConfigPointer {
  /** The blob name of the version, e.g. councils-20260715T010000123Z.json. */
  version: string;
  pushedAt: string;
  pushedBy: string;
  sha256: string;
  councils: number;
}

export const sha256Of = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export class ConfigVersions {
  constructor(private readonly blobs: Blobs) {}

  /** Stores `text` as a new version and points latest.json at it. */
  async push(text: string, meta: { pushedAt: string; pushedBy: string; councils: number }): Promise<ConfigPointer> {
    const version = `councils-${meta.pushedAt.replace(/[-:.]/g, '')}.json`;
    if (!(await this.blobs.putIfAbsent(CONFIG_CONTAINER, version, text))) throw new Error(`a config version ${version} already exists; push again`);
    const pointer: ConfigPointer = { version, ...meta, sha256: sha256Of(text) };
    await this.blobs.put(CONFIG_CONTAINER, POINTER, JSON.stringify(pointer, null, 2));
    return pointer;
  }

  async pointer(): Promise<ConfigPointer | undefined> {
    const raw = await this.blobs.get(CONFIG_CONTAINER, POINTER);
    if (!raw) return undefined;
    try {
      return JSON.parse(raw.toString('utf8')) as ConfigPointer;
    } catch {
      return undefined; // a damaged pointer: the versions themselves still say which is newest
    }
  }

  /** Every pushed version's blob name, newest first. */
  async versions(): Promise<string[]> {
    return (await this.blobs.list(CONFIG_CONTAINER, 'councils-')).filter((n) => VERSION.test(n)).sort().reverse();
  }

  async read(version: string): Promise<Buffer | undefined> {
    return this.blobs.get(CONFIG_CONTAINER, version);
  }

  /** Records that an invalid version (these exact bytes) was alerted on; false when it already was. */
  markAlerted(version: string, sha256: string): Promise<boolean> {
    return this.blobs.putIfAbsent(CONFIG_CONTAINER, `alerts/${version}.${sha256.slice(0, 16)}`, new Date().toISOString(), 'text/plain; charset=utf-8');
  }
}
