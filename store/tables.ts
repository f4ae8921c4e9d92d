// Table clients created on first use.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';

/** How to reach Table storage: a connection string (Azurite, keys) or an account URL with an identity. */
export type TableAccess = { connectionString: string } | { url: string; credential: TokenCredential };

export class Tables {
  private readonly ready = new Map<string, Promise<TableClient>>();

  private readonly service: TableServiceClient;

  constructor(private readonly access: TableAccess) {
    this.service = 'connectionString' in access
      ? TableServiceClient.fromConnectionString(access.connectionString, { allowInsecureConnection: isLocal(access.connectionString) })
      : new TableServiceClient(access.url, access.credential);
  }

  table(name: string): Promise<TableClient> {
    let p = this.ready.get(name);
    if (!p) {
      const a = this.access;
      const client = 'connectionString' in a
        ? TableClient.fromConnectionString(a.connectionString, name, { allowInsecureConnection: isLocal(a.connectionString) })
        : new TableClient(a.url, name, a.credential);
      p = this.service.createTable(name).catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 409) throw err; // already exists
      }).then(() => client);
      this.ready.set(name, p);
    }
    return p;
  }
}

/** Azurite speaks plain HTTP on loopback; anything else must be HTTPS. */
export function isLocal(connectionString: string): boolean {
  return /UseDevelopmentStorage=true|Endpoint=http:\/\/(127\.0\.0\.1|localhost)[:/]/i.test(connectionString);
}
