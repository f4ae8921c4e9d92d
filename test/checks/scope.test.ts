import { councillorIds, inScopeUserIds, peopleInScope, userSubject } from '../../checks/scope';
import { IDS, UPN, baseUsers, makeCouncil, makeUser } from '../support/snapshot-factory';

describe('who is in scope', () => {
  const council = makeCouncil({
    roster: [{ userPrincipalName: 'Cllr.Rostered@ExampleParish.gov.uk', termStart: '2023-05-04', termEnd: '2027-05-06' }],
  });
  const users = [...baseUsers(), makeUser({ id: 'u-rostered', userPrincipalName: 'cllr.rostered@exampleparish.gov.uk' })];

  it('takes councillors from the group and the roster, plus clerk, staff, admins and break-glass', () => {
    const people = peopleInScope(users, council, [IDS.cllrA, IDS.cllrB]);
    const byId = new Map(people.map((p) => [p.user.id, p]));
    expect(byId.get(IDS.cllrA)?.roles).toEqual(['councillor']);
    expect(byId.get('u-rostered')?.roles).toEqual(['councillor']);
    expect(byId.get(IDS.clerk)?.roles).toEqual(['clerk']);
    expect(byId.get(IDS.rfo)?.roles).toEqual(['staff']);
    expect(byId.get(IDS.admin)?.isAdmin).toBe(true);
    expect(byId.get(IDS.breakGlass)?.isBreakGlass).toBe(true);
    expect(byId.has(IDS.volunteer)).toBe(false);
    expect(byId.has(IDS.guest)).toBe(false);
  });

  it('leaves out a guest even when the guest is in the councillor group', () => {
    expect(inScopeUserIds(users, council, [IDS.guest])).not.toContain(IDS.guest);
  });

  it('keeps disabled accounts (their mail rules still run) and gives collect the councillor ids', () => {
    const disabled = users.map((u) => (u.id === IDS.cllrA ? { ...u, accountEnabled: false } : u));
    expect(inScopeUserIds(disabled, council, [IDS.cllrA])).toContain(IDS.cllrA);
    expect(councillorIds(users, council, [IDS.cllrA]).sort()).toEqual([IDS.cllrA, 'u-rostered'].sort());
  });

  it('copes with a user that has no UPN', () => {
    const odd = makeUser({ id: 'u-odd', userPrincipalName: '', displayName: '' });
    expect(() => peopleInScope([...users, odd], council, ['u-odd'])).not.toThrow();
    expect(userSubject(odd)).toEqual({ type: 'user', id: 'u-odd', name: 'u-odd' });
    expect(userSubject(users.find((u) => u.id === IDS.clerk)!).userPrincipalName).toBe(UPN.clerk);
  });
});
