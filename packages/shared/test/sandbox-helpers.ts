/** What the sandbox tests share: the host layout the policy and the warning are computed for. */
import type { HostLayout } from '../src/sandbox.ts';

export const HOST: HostLayout = {
  bwrap: '/usr/bin/bwrap',
  prlimit: '/usr/bin/prlimit',
  setpriv: '/usr/bin/setpriv',
  system: [
    { path: '/usr', symlink: null },
    { path: '/bin', symlink: 'usr/bin' },
    { path: '/lib', symlink: 'usr/lib' },
    { path: '/lib64', symlink: 'usr/lib64' },
  ],
  nodeFolders: [],
  features: { disableUserns: true, tmpfsSize: true },
};
