// --council NAME|TENANT_ID on every command, with --tenant (the older spelling, which took only a tenant
// id) kept as a deprecated alias. The rule for what a selector matches is the same everywhere
// (context/council-context.ts: a council's name or tenant id, in any case).
export interface CouncilOption {
  council?: string;
  /** @deprecated use council */
  tenant?: string;
}

export function councilSelector(opts: CouncilOption, warn: (s: string) => void = (s) => process.stderr.write(s)): string | undefined {
  if (opts.tenant !== undefined && opts.council === undefined) {
    warn('councilguard: --tenant is deprecated; use --council, which takes a council\'s name or tenant id.\n');
    return opts.tenant;
  }
  return opts.council;
}
