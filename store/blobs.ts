// Generic blob access over one BlobServiceClient.
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';

export class Blobs {
  private readonly ready = new Map<string, Promise<ContainerClient>>();

  constructor(private readonly service: BlobServiceClient) {}

  container(name: string): Promise<ContainerClient> {
    let p = this.ready.get(name);
    if (!p) {
      const c = this.service.getContainerClient(name);
      p = c.createIfNotExists().then(() => c);
      this.ready.set(name, p);
    }
    return p;
  }

  async put(container: string, name: string, data: string | Buffer, contentType = 'application/octet-stream'): Promise<void> {
    const c = await this.container(container);
    const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    await c.getBlockBlobClient(name).upload(body, body.length, { blobHTTPHeaders: { blobContentType: contentType } });
  }

  async get(container: string, name: string): Promise<Buffer | undefined> {
    const c = await this.container(container);
    const blob = c.getBlobClient(name);
    if (!(await blob.exists())) return undefined;
    return blob.downloadToBuffer();
  }

  async list(container: string, prefix: string): Promise<string[]> {
    const c = await this.container(container);
    const names: string[] = [];
    for await (const b of c.listBlobsFlat({ prefix })) names.push(b.name);
    return names;
  }

  async delete(container: string, name: string): Promise<void> {
    const c = await this.container(container);
    await c.deleteBlob(name, { deleteSnapshots: 'include' }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
  }
}
