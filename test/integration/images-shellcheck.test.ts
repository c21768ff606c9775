/**
 * shellcheck over the image build's and the image gate's commands (as test/integration/shellcheck.test.ts
 * does for the static gates): zero findings at style level.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { commandsOfProject, imagePipeline } from '../images/support';

const { stack } = imagePipeline({ dockerfile: 'docker/Dockerfile', buildArgs: { VERSION: "1.0 $(id) 'x'", PLAIN: 'yes' } });
const template = Template.fromStack(stack);

describe.each(['ImageBuildapi', 'ImageScanapi'])('%s', (idPart) => {
  test('shellcheck finds nothing in the commands', () => {
    const { install, build } = commandsOfProject(template, idPart);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-shellcheck-'));
    const script = path.join(dir, 'buildspec.sh');
    const body = [...install, ...build].map((c) => c.replace(/<TOKEN:[^>]*>/g, 'cfn-token')).join('\n');
    // Variables CodeBuild or the step's env set.
    const provided = ['CODEBUILD_RESOLVED_SOURCE_VERSION', 'REPOSITORY_URI', 'REPOSITORY_NAME', 'AWS_REGION', 'CODEBUILD_SRC_DIR'];
    const preamble = provided.map((v) => `: "\${${v}:?set by CodeBuild}"`).join('\n');
    fs.writeFileSync(script, `#!/usr/bin/env bash\n${preamble}\n${body}\n`);
    // SC2016: the build argument's `$(id)` is meant to stay literal in single quotes.
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', '--exclude=SC2016', script], { encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck is not installed (apt-get install -y shellcheck): ${r.error.message}`);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(build.length).toBeGreaterThan(3);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
