import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type DynamoDBClient, ListTablesCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

/** One place a marker was found, and in which encoding. */
export interface MarkerHit {
  where: string;
  marker: string;
  encoding: string;
}

/**
 * What a marker looks like in a store: as written, lower case, NFC and NFD, and its UTF-8 bytes in
 * base64 (at each of the three byte alignments it can have inside a longer text, so a marker in the
 * middle of an encoded blob is found too), base64url, hex and quoted-printable.
 */
export const encodingsOf = (marker: string): Array<{ encoding: string; text: string }> => {
  const forms = new Map<string, string>([
    ['plaintext', marker],
    ['lower case', marker.toLowerCase()],
    ['NFC', marker.normalize('NFC')],
    ['NFD', marker.normalize('NFD')],
  ]);
  const found: Array<{ encoding: string; text: string }> = [];
  for (const [name, form] of forms) {
    found.push({ encoding: name, text: form });
    const bytes = Buffer.from(form, 'utf8');
    found.push({ encoding: `hex of ${name}`, text: bytes.toString('hex') });
    found.push({ encoding: `HEX of ${name}`, text: bytes.toString('hex').toUpperCase() });
    // As MIME's quoted-printable writes it (mail bodies and headers), when it differs from the text.
    const quoted = [...bytes]
      .map((byte) =>
        byte >= 0x80 || byte === 0x3d
          ? `=${byte.toString(16).toUpperCase().padStart(2, '0')}`
          : String.fromCharCode(byte),
      )
      .join('');
    if (quoted !== form) found.push({ encoding: `quoted-printable of ${name}`, text: quoted });
    for (let offset = 0; offset < 3; offset++) {
      const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
      // Drop the characters that depend on the unknown bytes before and after the marker.
      const skip = offset === 0 ? 0 : Math.ceil((offset * 4) / 3);
      const b64 = padded.toString('base64').replace(/=+$/, '');
      const stable = b64.slice(skip, b64.length - 2);
      if (stable.length >= 8) {
        found.push({ encoding: `base64 of ${name} (+${offset})`, text: stable });
        found.push({
          encoding: `base64url of ${name} (+${offset})`,
          text: stable.replaceAll('+', '-').replaceAll('/', '_'),
        });
      }
    }
  }
  return found;
};

const searchText = (where: string, text: string, markers: readonly string[]): MarkerHit[] => {
  const hits: MarkerHit[] = [];
  for (const marker of markers)
    for (const { encoding, text: needle } of encodingsOf(marker))
      if (text.includes(needle)) hits.push({ where, marker, encoding });
  return hits;
};

/** Binary attributes as their bytes (latin1, so plaintext inside shows) and as base64. */
const itemText = (item: Record<string, unknown>): string =>
  JSON.stringify(item, (_key, value) =>
    value instanceof Uint8Array
      ? `${Buffer.from(value).toString('latin1')} ${Buffer.from(value).toString('base64')}`
      : value,
  );

/** Every item of every table (or of `tables`), read with DynamoDB's Scan: what the stores hold now. */
export const searchTables = async (
  client: DynamoDBClient,
  markers: readonly string[],
  tables?: readonly string[],
): Promise<MarkerHit[]> => {
  const names = tables ?? (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  const hits: MarkerHit[] = [];
  for (const TableName of names)
    for await (const page of paginateScan({ client }, { TableName }))
      for (const item of page.Items ?? []) {
        const plain = unmarshall(item);
        const key = [plain.pk, plain.sk].filter((part) => part !== undefined).join(' / ');
        hits.push(...searchText(`table ${TableName}: ${key}`, itemText(plain), markers));
      }
  return hits;
};

const filesUnder = async (dir: string): Promise<string[]> => {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
};

/** Every file under `dir` but those under `except` (folders relative to `dir`), read as bytes. */
export const searchFiles = async (
  dir: string,
  markers: readonly string[],
  except: readonly string[] = [],
): Promise<MarkerHit[]> => {
  const hits: MarkerHit[] = [];
  for (const file of await filesUnder(dir)) {
    const path = relative(dir, file);
    if (except.some((folder) => path === folder || path.startsWith(`${folder}/`))) continue;
    const bytes = await readFile(file);
    hits.push(
      ...searchText(`file ${path}`, `${bytes.toString('utf8')}\n${bytes.toString('latin1')}`, markers),
    );
  }
  return hits;
};

/** Texts seen during a run (bus events, log lines), each with a name. */
export const searchTexts = (texts: Iterable<[where: string, text: string]>, markers: readonly string[]) => {
  const hits: MarkerHit[] = [];
  for (const [where, text] of texts) hits.push(...searchText(where, text, markers));
  return hits;
};
