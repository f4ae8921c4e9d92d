import { bareAddress, classifyAddress, domainOf, normaliseDomain, trustedDomains } from '../../checks/addresses';

const trusted = trustedDomains([['exampleparish.gov.uk', 'ExampleParish.onmicrosoft.com'], ['partner.example']], ['someone@elsewhere.example']);

describe('internal or external address', () => {
  it.each([
    ['clerk@exampleparish.gov.uk'],
    ['Clerk@ExampleParish.GOV.UK '],
    ['smtp:clerk@exampleparish.gov.uk'],
    ['SMTP:clerk@exampleparish.gov.uk.'],
    ['Clare Clerk <clerk@exampleparish.gov.uk>'],
    ['"Clare" [SMTP:clerk@exampleparish.gov.uk]'],
    ['a@mail.exampleparish.gov.uk'],
    ['x@exampleparish.onmicrosoft.com'],
    ['ops@partner.example'],
    ['someone@elsewhere.example'],
  ])('%s is internal', (address) => {
    expect(classifyAddress(address, trusted)).toBe('internal');
  });

  it.each([
    ['look-alike suffix', 'clerk@exampleparish.gov.uk.example.net'],
    ['digit for letter', 'clerk@examp1eparish.gov.uk'],
    ['Cyrillic homoglyph', 'clerk@еxampleparish.gov.uk'],
    ['punycode spoof', 'clerk@xn--xampleparish-rck.gov.uk'],
    ['malformed punycode', 'clerk@xn--exampleparish-zzz.gov.uk'],
    ['domain without the dot boundary', 'clerk@notexampleparish.gov.uk'],
    ['parent of a trusted domain', 'clerk@gov.uk'],
    ['no domain at all', 'clerk'],
    ['empty domain', 'clerk@'],
    ['domain literal', 'clerk@[10.0.0.1]'],
    ['personal mail', 'alice@gmail.com'],
    ['other address at an exact-address entry\'s domain', 'other@elsewhere.example'],
  ])('%s is external (%s)', (_why, address) => {
    expect(classifyAddress(address, trusted)).toBe('external');
  });

  it('calls a missing address unknown, not internal', () => {
    expect(classifyAddress(undefined, trusted)).toBe('unknown');
    expect(classifyAddress(null, trusted)).toBe('unknown');
    expect(classifyAddress('   ', trusted)).toBe('unknown');
  });

  it('matches a trusted domain configured in Unicode against its punycode form', () => {
    const idn = trustedDomains([['bücherei.example']]);
    expect(classifyAddress('a@xn--bcherei-n2a.example', idn)).toBe('internal');
    expect(classifyAddress('a@BÜCHEREI.example', idn)).toBe('internal');
  });

  it('normalises domains and strips address wrappers', () => {
    expect(normaliseDomain(' ExampleParish.GOV.uk. ')).toBe('exampleparish.gov.uk');
    expect(normaliseDomain('[1.2.3.4]')).toBe('');
    expect(bareAddress('smtp:Bob@Gmail.com')).toBe('Bob@Gmail.com');
    expect(domainOf('"a@b"@evil.example')).toBe('evil.example');
    expect(domainOf('nobody')).toBe('');
  });
});
