// Generic blob access over one BlobServiceClient; containers are created on first use.
import { Readable } from 'node:stream';
import { BlobSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential, type BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

export class Blobs {
  private readonly ready = new Map<string, Promise<ContainerClient>>();

  constructor(private readonly service: BlobServiceClient) {}

  container(name: string): Promise<ContainerClient> {
    let p = this.ready.get(name);
    if (!p) {
      const c = this.service.getContainerClient(name);
      p = c.createIfNotExists().then(() => c);
      // A failed creation (storage unreachable) must not be remembered: the next call tries again.
      p.catch(() => this.ready.delete(name));
      this.ready.set(name, p);
    }
    return p;
  }

  async put(container: string, name: string, data: string | Buffer, contentType = contentTypeOf(name)): Promise<void> {
    const c = await this.container(container);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await c.getBlockBlobClient(name).uploadData(body, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  /**
   * Uploads text given as pieces (core/text-pieces.ts) as one block blob, staged in blocks of 1 MB, so
   * only a few blocks are in memory at a time, never the whole file.
   */
  async putPieces(container: string, name: string, pieces: Iterable<string>, contentType = contentTypeOf(name)): Promise<void> {
    const c = await this.container(container);
    const body = Readable.from((function* () { for (const p of pieces) yield Buffer.from(p, 'utf8'); })());
    await c.getBlockBlobClient(name).uploadStream(body, 1024 * 1024, 2, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  /** Writes the blob only if there is none of that name yet; false when one already exists. */
  async putIfAbsent(container: string, name: string, data: string | Buffer, contentType = contentTypeOf(name)): Promise<boolean> {
    const c = await this.container(container);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      await c.getBlockBlobClient(name).uploadData(body, { blobHTTPHeaders: { blobContentType: contentType }, conditions: { ifNoneMatch: '*' } });
      return true;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 409) return false;
      throw err;
    }
  }

  /** The blob's bytes, or undefined when there is no such blob. */
  async get(container: string, name: string): Promise<Buffer | undefined> {
    const c = await this.container(container);
    try {
      // One GET: downloadToBuffer() first asks for the blob's properties (a HEAD) to size its buffer,
      // doubling the requests of every read.
      const res = await c.getBlobClient(name).download();
      const chunks: Buffer[] = [];
      for await (const chunk of res.readableStreamBody!) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  /** Names of the blobs under a prefix, in name order. */
  async list(container: string, prefix: string): Promise<string[]> {
    const c = await this.container(container);
    const names: string[] = [];
    for await (const b of c.listBlobsFlat({ prefix })) names.push(b.name);
    return names;
  }

  /** The next level of "folders" under a prefix (each ends in "/"). */
  async listFolders(container: string, prefix: string): Promise<string[]> {
    const c = await this.container(container);
    const folders: string[] = [];
    for await (const item of c.listBlobsByHierarchy('/', { prefix })) {
      if (item.kind === 'prefix') folders.push(item.name);
    }
    return folders;
  }

  /**
   * A read-only link to one blob that expires: a service SAS when the store holds the account key
   * (a connection string, Azurite), else a user delegation SAS signed with a key the managed identity asks
   * for (it needs Storage Blob Data Contributor or Delegator; a user delegation key lives at most 7 days).
   */
  async readUrl(container: string, name: string, expiresOn: Date, now = new Date()): Promise<string> {
    const blob = (await this.container(container)).getBlobClient(name);
    if (this.service.credential instanceof StorageSharedKeyCredential) {
      return blob.generateSasUrl({ permissions: BlobSASPermissions.parse('r'), startsOn: new Date(now.getTime() - 5 * 60_000), expiresOn });
    }
    const key = await this.service.getUserDelegationKey(now, expiresOn);
    const sas = generateBlobSASQueryParameters({ containerName: container, blobName: name, permissions: BlobSASPermissions.parse('r'), startsOn: now, expiresOn }, key, this.service.accountName);
    return `${blob.url}?${sas.toString()}`;
  }

  async delete(container: string, name: string): Promise<void> {
    const c = await this.container(container);
    await c.deleteBlob(name, { deleteSnapshots: 'include' }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }

  async deleteUnder(container: string, prefix: string): Promise<number> {
    const names = await this.list(container, prefix);
    for (const name of names) await this.delete(container, name);
    return names.length;
  }
}

export function contentTypeOf(name: string): string {
  if (name.endsWith('.json')) return 'application/json; charset=utf-8';
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.md')) return 'text/markdown; charset=utf-8';
  if (name.endsWith('.txt')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
