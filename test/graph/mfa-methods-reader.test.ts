// Without P1, MFA registration comes from each user's methods: only methods that are a second factor
// count ("Microsoft Entra authentication methods API overview": email is for self-service password reset,
// a Temporary Access Pass is an onboarding and recovery pass). With P1 the report stays the source.
import { createGraphContext } from '../../graph';
import { readEnvironment } from '../../config/env';
import { readMfaRegistrationFromMethods, readMfaRegistrationReport } from '../../graph/readers/identity';
import { buildScenario, startSimulator } from '../../simulator';

const PEOPLE: [string, string[], boolean][] = [
  ['email.only', ['email'], false],
  ['tap.only', ['temporaryAccessPass'], false],
  ['email.and.tap', ['email', 'temporaryAccessPass'], false],
  ['nothing', [], false],
  ['phone', ['phone'], true],
  ['app', ['microsoftAuthenticator', 'email'], true],
  ['key', ['fido2'], true],
  ['hello', ['windowsHelloForBusiness'], true],
  ['totp', ['softwareOath'], true],
  ['cert', ['x509Certificate'], true],
];

describe('MFA registration', () => {
  it('from methods (no P1): email, a Temporary Access Pass or nothing is not MFA; authenticator, phone, FIDO2, Hello, OATH, certificate are', async () => {
    const scenario = buildScenario({ name: 'mfa-methods', people: PEOPLE.map(([name, methods]) => ({ userPrincipalName: `${name}@testparish.gov.uk`, mfa: { methods } })) });
    const sim = await startSimulator({ scenarios: [scenario] });
    try {
      const graph = createGraphContext(readEnvironment(sim.env(), scenario.tenantId));
      const ids = sim.tenant().users.map((u) => u.id);
      const byId = await readMfaRegistrationFromMethods(graph, ids);
      const byName = Object.fromEntries(sim.tenant().users.map((u) => [u.userPrincipalName.split('@')[0], byId[u.id].isMfaRegistered]));
      expect(byName).toEqual(Object.fromEntries(PEOPLE.map(([name, , mfa]) => [name, mfa])));
      // The non-MFA methods are still listed as registered, for the evidence.
      expect(byId[sim.tenant().users[0].id].methodsRegistered).toEqual(['email']);
      // The P1 report agrees: its isMfaRegistered does not count email or a pass either.
      const report = await readMfaRegistrationReport(graph);
      expect(Object.fromEntries(sim.tenant().users.map((u) => [u.userPrincipalName.split('@')[0], report[u.id].isMfaRegistered]))).toEqual(byName);
    } finally {
      await sim.close();
    }
  });
});
