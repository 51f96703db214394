import { startDevnet, type Devnet, type DevnetOptions } from '../../src/devnet/devnet';
import type { DevAccountRole } from '../../src/devnet/devnet-info';

/** A devnet on free loopback ports, with the anchor timer off unless asked (tests anchor explicitly). */
export function startTestDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  return startDevnet({ originPort: 0, auxiliaryPort: 0, anchorIntervalMs: 0, ...options });
}

export function addressesWithRole(devnet: Devnet, role: DevAccountRole): string[] {
  return devnet.info.accounts.filter((a) => a.role === role).map((a) => a.address);
}
