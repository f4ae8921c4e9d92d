// The Functions host's part for browser tests: route each request to a handler, turn the Node request into
// a real HttpRequest (with the signed-in caller's headers App Service authentication would add), and write
// the HttpResponseInit back. Plain HTTP on 127.0.0.1, so a page's fetch to the app is same-origin.
import { createServer, type Server } from 'node:http';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';

export type RouteHandler = (req: HttpRequest, ctx: InvocationContext) => Promise<HttpResponseInit>;
export type Route = [method: string, path: RegExp, handler: RouteHandler];

export function functionsHost(routes: Route[], signedIn: () => Record<string, string>): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
        const route = routes.find(([m, re]) => m === req.method && re.test(url.pathname));
        if (!route) { res.writeHead(404).end(); return; }
        const params = Object.fromEntries(Object.entries(route[1].exec(url.pathname)!.groups ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string>;
        const headers = { ...Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), ...signedIn() };
        const body = chunks.length ? { string: Buffer.concat(chunks).toString('utf8') } : undefined;
        const result = await route[2](new HttpRequest({ method: req.method!, url: url.href, headers, params, body }), new InvocationContext({ functionName: 'page', logHandler: () => {} }));
        const out = result.jsonBody !== undefined ? JSON.stringify(result.jsonBody) : String(result.body ?? '');
        res.writeHead(result.status ?? 200, { ...(result.jsonBody !== undefined ? { 'Content-Type': 'application/json' } : {}), ...(result.headers as Record<string, string>) });
        res.end(out);
      })().catch((err) => { res.writeHead(500).end(String(err)); });
    });
  });
}
