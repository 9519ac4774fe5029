import { conditionalGet, httpRoute } from '../shared/http/http.js';
import { openApiDocument } from './openapi-document.js';

let body: string | undefined;

export const handler = httpRoute('public', async (request) => {
  body ??= JSON.stringify(openApiDocument());
  return conditionalGet(request, body, 'application/json');
});
