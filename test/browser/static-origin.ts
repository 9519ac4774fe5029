import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticOrigin {
  url: string;
  close: () => Promise<void>;
}

/** Serves one HTML page on its own port: a web site on another origin than the API. */
export const serveHtml = async (html: string): Promise<StaticOrigin> => {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
};
