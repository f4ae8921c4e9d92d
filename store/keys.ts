// Table storage forbids / \ # ? and control characters in PartitionKey and RowKey; encode them.
export function tableKey(raw: string): string {
  return encodeURIComponent(raw).replace(/%/g, '~').replace(/[/\\#?]/g, '_');
}

/** Newest first in a Table partition: row keys sort ascending, so invert the time. */
export function invertedTime(iso: string): string {
  return String(8_640_000_000_000_000 - Date.parse(iso)).padStart(16, '0');
}
