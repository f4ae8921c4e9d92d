// Table clients created on first use.
import { TableClient, TableServiceClient } from '@azure/data-tables';

export class Tables {
  private readonly ready = new Map<string, Promise<TableClient>>();

  constructor(private readonly connectionString: string, private readonly service: TableServiceClient) {}

  table(name: string): Promise<TableClient> {
    let p = this.ready.get(name);
    if (!p) {
      const client = TableClient.fromConnectionString(this.connectionString, name, { allowInsecureConnection: true });
      p = this.service.createTable(name).catch((err: { statusCode?: number }) => {
        if (err.statusCode !== 409) throw err; // already exists
      }).then(() => client);
      this.ready.set(name, p);
    }
    return p;
  }
}
