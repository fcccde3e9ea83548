import { readFileSync } from 'node:fs';

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is missing. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Starts counting; the returned function gives each process's CPU ms per operation since then. */
export function cpuMeter(pids: Record<string, number | undefined>) {
  const start = Object.fromEntries(
    Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]),
  );
  return (ops: number): Record<string, number | null> =>
    Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => {
        const a = start[k];
        const b = cpuMs(pid);
        const per =
          a === undefined || b === undefined || ops === 0
            ? null
            : (b - a) / ops;
        return [k, per === null ? null : Math.round(per * 100) / 100];
      }),
    );
}
