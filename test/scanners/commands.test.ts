import { gateEngine } from '../../src/scanners';
import { banditExcludes } from '../../src/scanners/bandit';
import { argValue, ExecStep, ScannerInvocation, WriteStep } from '../../src/scanners/steps';

const o = { reportDir: '/r', workDir: '/w' };

function argv(inv: ScannerInvocation): string[] {
  const exec = inv.steps.filter((s): s is ExecStep => s.kind === 'exec').pop()!;
  return exec.argv.map(argValue);
}

function written(inv: ScannerInvocation): Record<string, string> {
  return Object.fromEntries(inv.steps.filter((s): s is WriteStep => s.kind === 'write').map((s) => [s.file, s.content]));
}

/** The value after a flag. */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
}

describe('scanners run with a configuration the gate controls', () => {
  test.each([
    ['trivy fs (SCA)', gateEngine('dependencies', 'trivy').invoke({ ...o, ignoreUnfixed: false })],
    ['trivy fs (SBOM)', gateEngine('sbom', 'trivy').invoke(o)],
  ])('%s: an explicit --config and an empty --ignorefile, both written outside the tree (not ./trivy.yaml, ./.trivyignore)', (_n, inv) => {
    const args = argv(inv);
    expect(flag(args, '--config')).toBe('/w/trivy.yaml');
    expect(flag(args, '--ignorefile')).toBe('/w/trivyignore');
    expect(written(inv)).toEqual({ '/w/trivy.yaml': '{}', '/w/trivyignore': '' });
  });

  test('semgrep: nosemgrep comments and .semgrepignore are not honoured', () => {
    const args = argv(gateEngine('sast', 'semgrep').invoke({ ...o, semgrepRules: ['/rules'] }));
    expect(args).toEqual(expect.arrayContaining(['--disable-nosem', '--x-ignore-semgrepignore-files', '--no-git-ignore']));
  });

  test('bandit: --ignore-nosec, the gate\'s config and ini (a .bandit in the repository is not read)', () => {
    const inv = gateEngine('sast', 'bandit').invoke({ ...o, semgrepRules: [] });
    const args = argv(inv);
    expect(args).toContain('--ignore-nosec');
    expect(flag(args, '-c')).toBe('/w/bandit.yaml');
    expect(flag(args, '--ini')).toBe('/w/bandit.ini');
    expect(written(inv)).toEqual({ '/w/bandit.yaml': '{}', '/w/bandit.ini': '[bandit]' });
    expect(flag(args, '-x')).toBe(banditExcludes());
  });

  test('bandit excludes are whole path segments: no entry is a plain substring of a path', () => {
    // bandit excludes a path containing any -x entry as a substring; a "*" entry never is one.
    expect(banditExcludes().split(',')).toEqual(['*/node_modules/*', '*/cdk.out/*', '*/.git/*', '*/devsecops-gate-out/*']);
  });
});
