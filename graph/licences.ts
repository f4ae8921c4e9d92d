// Licence facts from subscribedSkus service plans (a SKU is a bundle; the plans are what matter).

/** A licence as CouncilGuard names it to people (the endpoint table and skip reasons use these words). */
export type Licence = 'Entra ID P1' | 'Entra ID P2' | 'Intune' | 'Exchange Online';

export interface Licences {
  entraP1: boolean;
  entraP2: boolean;
  intune: boolean;
  exchange: boolean;
}

export function licencesFromSkus(skus: { servicePlans: string[] }[]): Licences {
  const plans = new Set(skus.flatMap((s) => s.servicePlans.map((p) => p.toUpperCase())));
  const has = (re: RegExp) => [...plans].some((p) => re.test(p));
  return {
    entraP1: has(/^AAD_PREMIUM$/) || has(/^AAD_PREMIUM_P2$/),
    entraP2: has(/^AAD_PREMIUM_P2$/),
    intune: has(/^INTUNE_A$/) || has(/^INTUNE_A_VL$/),
    exchange: has(/^EXCHANGE_S_/),
  };
}
