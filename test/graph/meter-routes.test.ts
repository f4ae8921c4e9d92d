// The meter's per-route counts stay a short list of shapes however many items a run touches: a
// 50,000-message surrender must not keep one entry per message id (issue #18, memory).
import { MAX_ROUTES, OTHER_ROUTES, RequestMeter, routeShape } from '../../graph/meter';

describe('RequestMeter route shapes', () => {
  it.each([
    ['https://graph.microsoft.com/v1.0/users/ab12cd34-0000-1111-2222-333344445555/messages/AAMkAGI2TG93AAA%3D/$value', '/v1.0/users/{id}/messages/{id}/$value'],
    ['/v1.0/users/jo@council.gov.uk/mailFolders/inbox/messages?$top=1000', '/v1.0/users/{id}/mailFolders/inbox/messages'],
    ['/v1.0/drives/b!aB3_x-9/items/01ABCDEFGH/content', '/v1.0/drives/{id}/items/{id}/content'],
    ['/v1.0/drives/b!x/items/01AB:/Mail/Inbox/2024-01-02 Minutes 5f.eml:/createUploadSession', '/v1.0/drives/{id}/items/{id}/createUploadSession'],
    ['/v1.0/users/u7/drive/root/microsoft.graph.delta()', '/v1.0/users/{id}/drive/root/microsoft.graph.delta()'],
    ['/v1.0/drives/b!x/root:/Mail/Inbox:/children', '/v1.0/drives/{id}/root:{path}:/children'],
    ['/v1.0/$batch', '/v1.0/$batch'],
    ['archive copy restarted', 'archive copy restarted'],
  ])('%s -> %s', (route, shape) => {
    expect(routeShape(route)).toBe(shape);
  });

  it('counts many messages under one shape', () => {
    const meter = new RequestMeter();
    for (let i = 0; i < 2000; i++) meter.count('single', `/v1.0/users/u1/messages/AAMkAD${i.toString(36)}x=/$value`);
    expect([...meter.byRoute]).toEqual([['/v1.0/users/{id}/messages/{id}/$value', 2000]]);
  });

  it('keeps at most MAX_ROUTES shapes and counts the rest together', () => {
    const meter = new RequestMeter();
    // Letters-only segments read as API words, so each is its own shape until the cap.
    const word = (i: number) => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)]);
    for (let i = 0; i < MAX_ROUTES + 300; i++) meter.count('single', `/v1.0/things/${word(i)}z`);
    expect(meter.byRoute.size).toBe(MAX_ROUTES + 1);
    expect(meter.byRoute.get(OTHER_ROUTES)).toBe(300);
    expect(meter.counts.single).toBe(MAX_ROUTES + 300);
  });
});
