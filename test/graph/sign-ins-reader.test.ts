// Mailbox sign-ins are read as "List signIns" documents: no $select, Exchange Online by resource id, within
// the audit window, every page.
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { readExchangeSignIns } from '../../graph/readers/identity';
import { buildScenario, startSimulator } from '../../simulator';

describe('readExchangeSignIns', () => {
  it('finds sign-ins whose resource is Exchange whatever the client, inside the window only, across pages', async () => {
    const scenario = buildScenario({
      name: 'signins-reader', people: ['ann', 'bob'],
      signIns: [
        { user: 'ann@testparish.gov.uk', at: '-2h', countryOrRegion: 'FR', appDisplayName: 'Outlook Mobile' },
        { user: 'ann@testparish.gov.uk', at: '-3h', countryOrRegion: 'GB', appDisplayName: 'One Outlook Web' },
        { user: 'ann@testparish.gov.uk', at: '-4h', countryOrRegion: 'ES', appDisplayName: 'iOS Accounts' },
        { user: 'bob@testparish.gov.uk', at: '-1h', countryOrRegion: 'US', appDisplayName: 'Microsoft Teams', resource: 'sharepoint' },
        { user: 'bob@testparish.gov.uk', at: '-30h', countryOrRegion: 'DE', appDisplayName: 'Outlook Mobile' },
      ],
    });
    const sim = await startSimulator({ scenarios: [scenario], pageSize: 2 });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), scenario.tenantId));
      const now = new Date();
      const since = new Date(now.getTime() - 24 * 3600_000).toISOString();
      const rows = await readExchangeSignIns(graph, since, now.toISOString());
      expect(rows.map((r) => `${r.appDisplayName} ${r.countryOrRegion}`).sort()).toEqual(['One Outlook Web GB', 'Outlook Mobile FR', 'iOS Accounts ES']);
      expect(sim.stats.byRoute['GET /auditLogs/signIns'] ?? 0).toBeGreaterThanOrEqual(2);
    } finally {
      await sim.close();
    }
  });
});
