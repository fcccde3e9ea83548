import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const ip = (...args: string[]) =>
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * A separate host on this machine: a network namespace joined to this one by a veth pair
 * (iproute2; needs root). The host is `hostAddress`, this side `localAddress`; `cut()` takes the
 * link down — packets vanish, no reset, as when a switch or a cable fails — and `heal()` brings
 * it back. Processes run inside with `command(...)` as the argv prefix.
 */
export class NetNamespace {
  private constructor(
    readonly name: string,
    private outside: string,
    readonly localAddress: string,
    readonly hostAddress: string,
  ) {}

  static create(): NetNamespace {
    if (process.getuid?.() !== 0)
      throw new Error('network namespaces need root (ip netns add)');
    const id = randomBytes(3).toString('hex');
    const subnet = `10.${200 + (randomBytes(1)[0]! % 50)}.${randomBytes(1)[0]}`;
    const ns = new NetNamespace(
      `kw-${id}`,
      `kw${id}a`,
      `${subnet}.1`,
      `${subnet}.2`,
    );
    const inside = `kw${id}b`;
    ip('netns', 'add', ns.name);
    try {
      ip('link', 'add', ns.outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', ns.name);
      ip('addr', 'add', `${ns.localAddress}/24`, 'dev', ns.outside);
      ip('link', 'set', ns.outside, 'up');
      ns.exec('ip', 'addr', 'add', `${ns.hostAddress}/24`, 'dev', inside);
      ns.exec('ip', 'link', 'set', inside, 'up');
      ns.exec('ip', 'link', 'set', 'lo', 'up');
    } catch (err) {
      ns.destroy();
      throw err;
    }
    return ns;
  }

  /** argv prefix that runs a command inside the namespace. */
  command(): string[] {
    return ['ip', 'netns', 'exec', this.name];
  }

  exec(...args: string[]): void {
    ip('netns', 'exec', this.name, ...args);
  }

  cut(): void {
    ip('link', 'set', this.outside, 'down');
  }

  heal(): void {
    ip('link', 'set', this.outside, 'up');
  }

  destroy(): void {
    try {
      ip('link', 'del', this.outside);
    } catch {
      // gone with the namespace already
    }
    try {
      ip('netns', 'del', this.name);
    } catch {
      // never created
    }
  }
}
