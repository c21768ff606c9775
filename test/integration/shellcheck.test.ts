/**
 * shellcheck (Debian package; .ci/run installs it) over the shell commands of every buildspec the
 * gates generate, in configurations that together use every engine, and over the tools' install
 * script: zero findings at style level.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TOOLS } from '../../src/scanners';
import { commandsFor, installScript, TOOLS_CACHE_DIR } from '../../src/tools/install';
import { allEngineBuilds } from '../gates/all-engines';
import { commandsOf } from '../gates/support';
import { examplePipTool, INSTALLABLE } from '../tools/installable';

const BUILDS = allEngineBuilds();

describe('every generated buildspec', () => {
  test.each(BUILDS)('%s: shellcheck finds nothing in the commands', (name, gate) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gate-shellcheck-'));
    const script = path.join(dir, 'buildspec.sh');
    // CloudFormation references (bucket names) become plain words; the buildspec runs in bash.
    const body = commandsOf(gate).map((c) => c.replace(/<TOKEN:[^>]*>/g, 'cfn-token')).join('\n');
    // Variables CodeBuild sets (CODEBUILD_SRC_DIR_<artifact>, ...) are declared as coming from the environment.
    const provided = [...new Set([...body.matchAll(/\$\{?(CODEBUILD_\w+)/g)].map((m) => m[1]))];
    const preamble = provided.map((v) => `: "\${${v}:?set by CodeBuild}"`).join('\n');
    fs.writeFileSync(script, `#!/usr/bin/env bash\n${preamble}\n${body}\n`);
    expect(gate.buildspec.env).toEqual({ shell: 'bash' });
    // SC2016 ("expressions don't expand in single quotes") is the point for the hostile paths: `$(id)` stays literal.
    const exclude = name.startsWith('hostile paths:') ? ['--exclude=SC2016'] : [];
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', ...exclude, script], { encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck is not installed (apt-get install -y shellcheck): ${r.error.message}`);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('the tools\' install script', () => {
  test('shellcheck passes with zero warnings on the generated script', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tools-shellcheck-'));
    const script = path.join(tmp, 'install.sh');
    // All installable tools, plus a locked pip tool so the pip lines are checked too.
    const pip = examplePipTool();
    const content = installScript(INSTALLABLE.map((n) => TOOLS[n])) + commandsFor(pip, TOOLS_CACHE_DIR).join('\n') + '\n';
    fs.writeFileSync(script, content);
    // shellcheck exits non-zero on any finding, of any severity (style included).
    const out = execFileSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', script], { encoding: 'utf8' });
    expect(out).toBe('');
    expect(content).toMatch(/^set -euo pipefail$/m);
  });
});
