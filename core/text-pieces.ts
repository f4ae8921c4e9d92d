// A file's text given as pieces, produced afresh each time it is read, so a large file (findings.json of
// a 15,000-user tenant runs to tens of MB) is written or uploaded a piece at a time, never held whole.
export class TextPieces implements Iterable<string> {
  constructor(private readonly make: () => Iterable<string>) {}

  [Symbol.iterator](): Iterator<string> {
    return this.make()[Symbol.iterator]();
  }

  /** The whole text, for the few readers that need it as one string (small files, tests). */
  toString(): string {
    return [...this].join('');
  }
}

export type FileText = string | TextPieces;
