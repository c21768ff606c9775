import { DAST_TARGET_VARIABLE, scanMinutes, targetCheck, variableName } from './dast';
import type { Scanner } from './scanner';
import { shellArg } from './steps';

const VERSION = '3.0.4';
const MODULE = /^-?[a-z][a-z_]*$/;

/** The build's timeout for a wapiti scan bounded to `minutes` (its --max-scan-time covers the whole scan), plus 20 minutes (install, report). */
export function wapitiTimeoutMinutes(minutes: number): number {
  return minutes + 20;
}

/**
 * wapiti, a black-box web scanner (crawls the target, then attacks the parameters it found),
 * from the build image's distribution.
 */
export const wapiti: Scanner = {
  name: 'wapiti',
  artifact: {
    kind: 'pip',
    name: 'wapiti',
    version: VERSION,
    commands: ['wapiti'],
    sha256Source: 'installed from the distribution (apt verifies the signed indexes and the package hash); PyPI wapiti3 is not hash-locked here',
    note: 'The gates install it with apt, upstream version pinned; a PyPI install is refused until a hash-locked closure exists.',
  },
  install: {
    kind: 'apt',
    package: {
      package: 'wapiti',
      version: VERSION,
      commands: ['wapiti'],
      // `apt-cache policy wapiti` on Debian 12 (the tests' machine): 3.0.4+dfsg-2.
      distributions: 'Debian 12 bookworm (3.0.4+dfsg-2, checked with apt-cache policy) and Ubuntu 22.04 jammy (universe; the CodeBuild standard:7.0 image)',
    },
  },
  engines: [{
    gate: 'dast',
    id: 'wapiti',
    report: 'wapiti',
    invoke: (o) => {
      const target = variableName(o.targetUrlVariable, DAST_TARGET_VARIABLE);
      const dir = `${o.workDir}/wapiti`;
      const file = `${o.reportDir}/wapiti.json`;
      const modules = o.wapitiModules ?? [];
      const bad = modules.filter((m) => !MODULE.test(m));
      if (bad.length > 0) throw new Error(`wapiti: not module names: ${bad.join(', ')}`);
      const seconds = scanMinutes(o.maxScanMinutes) * 60;
      return {
        requires: ['wapiti'],
        steps: [
          { kind: 'shell', script: targetCheck(target) },
          { kind: 'shell', script: `rm -rf ${shellArg(dir)} && mkdir -p ${shellArg(dir)}` },
          {
            kind: 'shell',
            // A fresh session each run (--flush-session), kept outside the tree; bounded in time;
            // wapiti exits non-zero only when it could not scan, which fails the gate.
            script: [
              'wapiti', '-u', `"\${${target}}"`, '--scope', 'folder',
              ...(modules.length > 0 ? ['-m', modules.join(',')] : []),
              '--flush-session', '--store-session', shellArg(`${dir}/session`), '--store-config', shellArg(`${dir}/config`),
              '--max-scan-time', String(seconds), '--max-attack-time', String(seconds),
              '-f', 'json', '-o', shellArg(file), '--no-bugreport', '-v', '1',
            ].join(' '),
          },
        ],
        report: { file, format: 'wapiti' },
      };
    },
  }],
};
