import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/** Asks the OS for a free TCP port on loopback. */
export const findFreePort = (host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('Could not find a free port'))));
    });
  });

const canListen = (port: number, host: string | undefined): Promise<boolean> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });

/**
 * Resolves true when nothing listens on `port`: on `host`, or on any interface when none is given (as
 * DynamoDB Local binds all of them), falling back to IPv4 where IPv6 is not available.
 */
export const isPortFree = async (port: number, host?: string): Promise<boolean> => {
  if (host !== undefined) return canListen(port, host);
  try {
    return await canListen(port, '::');
  } catch {
    return canListen(port, '0.0.0.0');
  }
};

/**
 * Best effort: which process listens on `port` (Linux /proc, processes of this user only); elsewhere a
 * hint to use lsof. Returns e.g. `process 1234 (java -jar DynamoDBLocal.jar ...): stop it with \`kill 1234\``.
 */
export const describePortOwner = (port: number): string => {
  const fallback = `another process (\`lsof -nP -iTCP:${port} -sTCP:LISTEN\` shows which)`;
  try {
    const inodes = new Set<string>();
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const columns = line.trim().split(/\s+/);
        const local = columns[1];
        const state = columns[3];
        const inode = columns[9];
        if (!local || state !== '0A' || !inode) continue;
        const hexPort = local.split(':').pop();
        if (hexPort && Number.parseInt(hexPort, 16) === port) inodes.add(inode);
      }
    }
    if (inodes.size === 0) return fallback;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const match = /^socket:\[(\d+)\]$/.exec(target);
        if (match?.[1] && inodes.has(match[1])) {
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
          const shown = command.length > 160 ? `${command.slice(0, 157)}...` : command;
          return `process ${pid} (${shown}): stop it with \`kill ${pid}\``;
        }
      }
    }
    return fallback;
  } catch {
    return fallback;
  }
};
