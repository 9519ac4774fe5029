import { readFileSync } from 'node:fs';

const parentOf = (pid: number): number | undefined => {
  try {
    // /proc/<pid>/stat: "pid (command) state ppid ..."; the command may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
};

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Calls `onGone` once when one of the nearest `levels` ancestors of this process has exited. `npm start`
 * runs `sh -c tsx local/start.ts`: a SIGTERM sent to npm kills the shell but never reaches tsx or this
 * process, which would keep DynamoDB Local running as an orphan; this notices it within `intervalMs`.
 */
export const watchAncestors = (
  onGone: (pid: number) => void,
  { levels = 3, intervalMs = 500 }: { levels?: number; intervalMs?: number } = {},
): (() => void) => {
  const ancestors: number[] = [];
  let pid: number | undefined = process.ppid > 1 ? process.ppid : undefined;
  while (pid !== undefined && ancestors.length < levels) {
    ancestors.push(pid);
    pid = parentOf(pid);
  }
  const timer = setInterval(() => {
    const gone = ancestors.find((ancestor) => !isRunning(ancestor));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
};
