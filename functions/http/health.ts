import { httpRoute } from '../shared/http/http.js';

export const handler = httpRoute('public', async () => ({ status: 200, body: { status: 'ok' } }));
