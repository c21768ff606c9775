/**
 * The Dockerfile reader and the minimal base image policy, on real-world FROM shapes written as
 * Dockerfiles (test/fixtures/dockerfiles).
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { checkBaseImages, DEFAULT_ALLOWED_BASE_IMAGES, findDockerfiles, isDockerfileName, RULE_NOT_ALLOWED, RULE_NOT_PINNED } from '../../src/findings/base-images';
import { DockerfileError, dockerfileImages, logicalLines, parseImageRef, substitute } from '../../src/findings/dockerfile';

const DIR = join(__dirname, '..', 'fixtures', 'dockerfiles');
const D = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function read(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}

function images(name: string, buildArgs: Record<string, string> = {}): Array<[number, string, string]> {
  return dockerfileImages(read(name), name, new Map(Object.entries(buildArgs))).images.map((u) => [u.line, u.use, u.image]);
}

interface PolicyOptions {
  readonly allowed?: readonly string[];
  readonly requireDigest?: boolean;
  readonly buildArgs?: Record<string, string>;
}

function verdicts(name: string, options: PolicyOptions = {}): Array<[string, number, string]> {
  const report = checkBaseImages([{ file: name, text: read(name) }], {
    allowed: options.allowed ?? DEFAULT_ALLOWED_BASE_IMAGES,
    requireDigest: options.requireDigest ?? true,
    buildArgs: new Map(Object.entries(options.buildArgs ?? {})),
  });
  return report.violations.map((f) => [f.ruleId, f.line, f.image]);
}

function parseError(name: string, buildArgs: Record<string, string> = {}): string {
  try {
    dockerfileImages(read(name), name, new Map(Object.entries(buildArgs)));
  } catch (e) {
    expect(e).toBeInstanceOf(DockerfileError);
    return (e as Error).message;
  }
  throw new Error(`${name} parsed`);
}

describe('the images a Dockerfile pulls', () => {
  test('a single FROM', () => {
    expect(images('node-latest.Dockerfile')).toEqual([[1, 'from', 'node:latest']]);
  });

  test('multi-stage: a FROM or COPY --from naming an earlier stage (any case) or its index is not an image', () => {
    expect(images('multi-stage.Dockerfile')).toEqual([
      [3, 'from', `node:22-bookworm-slim@sha256:${D}`],
      [11, 'from', `gcr.io/distroless/nodejs22-debian12:nonroot@sha256:${D}`],
    ]);
    const { stages } = dockerfileImages(read('multi-stage.Dockerfile'), 'multi-stage.Dockerfile');
    expect(stages).toEqual(['builder', 'test']);
  });

  test('ARG substitution: global ARGs, ${VAR:-default}, $VAR, ${VAR}; build args override defaults', () => {
    expect(images('arg-driven.Dockerfile')).toEqual([
      [4, 'from', `cgr.dev/chainguard/node:latest@sha256:${D}`],
      [7, 'from', `cgr.dev/chainguard/static@sha256:${D}`],
    ]);
    expect(images('arg-driven.Dockerfile', { VARIANT: '22-dev', REGISTRY: 'registry.example.com' })).toEqual([
      [4, 'from', `registry.example.com/chainguard/node:22-dev@sha256:${D}`],
      [7, 'from', `registry.example.com/chainguard/static@sha256:${D}`],
    ]);
  });

  test('an ARG with no default and no build arg is an error naming it; a build arg resolves it', () => {
    expect(parseError('arg-no-default.Dockerfile')).toMatch(/^arg-no-default\.Dockerfile:2: \$\{BASE_IMAGE\} has no value: declare it with a default \(ARG BASE_IMAGE=\.\.\.\) or pass it as a build arg$/);
    expect(images('arg-no-default.Dockerfile', { BASE_IMAGE: 'python:3.12-slim' })).toEqual([[2, 'from', 'python:3.12-slim']]);
  });

  test('--platform is not the image, whatever it holds', () => {
    expect(images('platform.Dockerfile')).toEqual([
      [1, 'from', `golang:1.22-alpine@sha256:${D}`],
      [3, 'from', `gcr.io/distroless/static-debian12@sha256:${D}`],
    ]);
  });

  test('COPY --from=<image> is an image, among other flags; COPY --from=<stage> is not', () => {
    expect(images('copy-from-image.Dockerfile')).toEqual([
      [1, 'from', `gcr.io/distroless/static-debian12@sha256:${D}`],
      [2, 'copy-from', 'docker.io/library/busybox:1.36'],
      [3, 'copy-from', `cgr.dev/chainguard/wolfi-base@sha256:${D}`],
    ]);
    expect(images('scratch.Dockerfile')).toEqual([[1, 'from', `alpine:3.20@sha256:${D}`], [3, 'from', 'scratch']]);
  });

  test('RUN --mount=...,from=<image> is an image', () => {
    expect(images('mount-from.Dockerfile')).toEqual([
      [1, 'from', `gcr.io/distroless/static-debian12@sha256:${D}`],
      [2, 'mount-from', 'node:20'],
    ]);
  });

  test('continuations, comments inside them, and the # escape= directive', () => {
    expect(images('continuations.Dockerfile')).toEqual([[1, 'from', 'debian:bookworm-slim']]);
    expect(images('escape-backtick.Dockerfile')).toEqual([[2, 'from', 'mcr.microsoft.com/windows/servercore:ltsc2022']]);
    expect(logicalLines(read('escape-backtick.Dockerfile')).escape).toBe('`');
  });

  test('lower-case instructions and AS; registries with ports; CRLF line ends', () => {
    expect(images('lowercase.Dockerfile')).toEqual([[1, 'from', 'ubuntu:22.04']]);
    expect(images('registry-port.Dockerfile')).toEqual([
      [1, 'from', `localhost:5000/team/base:1.0@sha256:${D}`],
      [2, 'from', 'registry.example.com:8443/app/runtime:2.1-slim'],
    ]);
    // Written here: git would normalize a CRLF fixture.
    const crlf = `FROM gcr.io/distroless/static-debian12@sha256:${D} \\\r\n  AS final\r\nUSER nonroot\r\n`;
    expect(dockerfileImages(crlf, 'x').images.map((u) => [u.line, u.image, u.stage])).toEqual([[1, `gcr.io/distroless/static-debian12@sha256:${D}`, 'final']]);
  });

  test('heredoc bodies are not instructions', () => {
    expect(images('heredoc.Dockerfile')).toEqual([[1, 'from', `alpine:3.20@sha256:${D}`]]);
  });

  test('unreadable Dockerfiles fail with the file, the line and what is wrong', () => {
    expect(parseError('from-no-image.Dockerfile')).toBe('from-no-image.Dockerfile:1: FROM with no image');
    expect(() => dockerfileImages('RUN true\n', 'x')).toThrow(/x: no FROM instruction/);
    expect(() => dockerfileImages('RUN true\nFROM alpine\n', 'x')).toThrow('x:1: RUN before the first FROM (only ARG may come before it)');
    expect(() => dockerfileImages('FROM Node:20\n', 'x')).toThrow('x:1: "Node:20" is not a valid image reference');
    expect(() => dockerfileImages('FROM alpine AS\n', 'x')).toThrow(/x:1: FROM alpine AS: expected/);
    expect(() => dockerfileImages('FROM --pull alpine\n', 'x')).toThrow(/unknown flag "--pull"/);
    expect(() => dockerfileImages('ARG A=\nFROM ${A}\n', 'x')).toThrow('x:2: FROM ${A}: the image is empty after ARG substitution');
    expect(() => dockerfileImages('FROM ${A\n', 'x')).toThrow(/unterminated/);
    expect(() => dockerfileImages('# escape=x\nFROM alpine\n', 'x')).toThrow(/invalid escape directive/);
  });

  test('an ARG declared in a stage takes the global value; ARGs are not visible in stages otherwise', () => {
    const text = `ARG IMG=busybox:1.36\nFROM gcr.io/distroless/static@sha256:${D}\nARG IMG\nCOPY --from=$IMG /bin/sh /sh\n`;
    expect(dockerfileImages(text, 'x').images.map((u) => u.image)).toEqual([`gcr.io/distroless/static@sha256:${D}`, 'busybox:1.36']);
    const hidden = `ARG IMG=busybox:1.36\nFROM gcr.io/distroless/static@sha256:${D}\nCOPY --from=$IMG /bin/sh /sh\n`;
    expect(() => dockerfileImages(hidden, 'x')).toThrow('x:3: $IMG has no value');
  });
});

describe('substitution', () => {
  const vars = new Map<string, string | undefined>([['A', 'a'], ['E', ''], ['U', undefined]]);
  test.each([
    ['$A', 'a'], ['${A}', 'a'], ['x${A}y', 'xay'], ['${U:-d}', 'd'], ['${E:-d}', 'd'], ['${E-d}', ''], ['${U-d}', 'd'],
    ['${A:+alt}', 'alt'], ['${E:+alt}', ''], ['${E+alt}', 'alt'], ['${U+alt}', ''], ['\\$A', '$A'], ['${U:-${A}}', 'a'], ['$', '$'],
  ])('%s is %s', (value, expected) => {
    expect(substitute(value, vars, () => 'w')).toBe(expected);
  });
  test('an undefined variable without a default is an error', () => {
    expect(() => substitute('$U', vars, () => 'w')).toThrow('w: $U has no value');
    expect(() => substitute('${NOPE}', vars, () => 'w')).toThrow('w: ${NOPE} has no value');
  });
});

describe('image references', () => {
  test.each([
    ['node', { name: 'node', qualifiedName: 'docker.io/library/node' }],
    ['node:22', { name: 'node', tag: '22' }],
    ['docker.io/library/node:22', { name: 'node', registry: 'docker.io' }],
    ['bitnami/nginx:1.25', { name: 'bitnami/nginx', qualifiedName: 'docker.io/bitnami/nginx' }],
    ['gcr.io/distroless/static', { name: 'gcr.io/distroless/static', registry: 'gcr.io' }],
    [`localhost:5000/x:1@sha256:${D}`, { registry: 'localhost:5000', path: 'x', tag: '1', digest: `sha256:${D}` }],
    [`alpine@sha256:${D}`, { name: 'alpine', tag: undefined, digest: `sha256:${D}` }],
  ])('%s', (image, expected) => {
    expect(parseImageRef(image)).toMatchObject(expected);
  });
  test.each(['Node', 'node:', 'a b', 'node@sha256:zz', '-node'])('%s is not a reference', (image) => {
    expect(parseImageRef(image)).toBeUndefined();
  });
});

describe('the base image policy', () => {
  test('FROM node:latest blocks: not allowed and not pinned', () => {
    expect(verdicts('node-latest.Dockerfile')).toEqual([[RULE_NOT_ALLOWED, 1, 'node:latest'], [RULE_NOT_PINNED, 1, 'node:latest']]);
  });

  test('FROM python:3.12 blocks with messages that name the file, line, image and fix', () => {
    const report = checkBaseImages([{ file: 'python-312.Dockerfile', text: read('python-312.Dockerfile') }], { allowed: DEFAULT_ALLOWED_BASE_IMAGES, requireDigest: true, buildArgs: new Map() });
    expect(report.violations.map((f) => f.message)).toEqual([
      `python-312.Dockerfile:1: FROM python:3.12: the base image is not on the allow-list (${DEFAULT_ALLOWED_BASE_IMAGES.join(', ')})`,
      'python-312.Dockerfile:1: FROM python:3.12: the image is not pinned by digest, so what is built can change without a commit',
    ]);
    expect(report.violations[1].fix).toBe('pin it by digest: python:3.12@sha256:<digest> (`docker buildx imagetools inspect python:3.12` shows it)');
    expect(report.violations[0].fix).toMatch(/distroless.*Chainguard.*-slim.*alpine.*scratch.*allowedBaseImages or officialImages/);
  });

  test('a digest-pinned distroless base passes', () => {
    expect(verdicts('distroless-pinned.Dockerfile')).toEqual([]);
  });

  test.each([
    ['multi-stage.Dockerfile', []],
    ['arg-driven.Dockerfile', []],
    ['platform.Dockerfile', []],
    ['scratch.Dockerfile', []],
    ['heredoc.Dockerfile', []],
    ['continuations.Dockerfile', [[RULE_NOT_PINNED, 1, 'debian:bookworm-slim']]],
    ['copy-from-image.Dockerfile', [[RULE_NOT_ALLOWED, 2, 'docker.io/library/busybox:1.36'], [RULE_NOT_PINNED, 2, 'docker.io/library/busybox:1.36']]],
    ['mount-from.Dockerfile', [[RULE_NOT_ALLOWED, 2, 'node:20'], [RULE_NOT_PINNED, 2, 'node:20']]],
    ['registry-port.Dockerfile', [[RULE_NOT_ALLOWED, 1, `localhost:5000/team/base:1.0@sha256:${D}`], [RULE_NOT_PINNED, 2, 'registry.example.com:8443/app/runtime:2.1-slim']]],
    ['lowercase.Dockerfile', [[RULE_NOT_ALLOWED, 1, 'ubuntu:22.04'], [RULE_NOT_PINNED, 1, 'ubuntu:22.04']]],
  ])('%s', (name, expected) => {
    expect(verdicts(name)).toEqual(expected);
  });

  test('requireDigest false: only the allow-list is checked', () => {
    expect(verdicts('node-latest.Dockerfile', { requireDigest: false })).toEqual([[RULE_NOT_ALLOWED, 1, 'node:latest']]);
    expect(verdicts('continuations.Dockerfile', { requireDigest: false })).toEqual([]);
  });

  test('official images of the user\'s choice, by name (Docker Hub short or full); tag patterns', () => {
    expect(verdicts('node-latest.Dockerfile', { allowed: [...DEFAULT_ALLOWED_BASE_IMAGES, 'node'] })).toEqual([[RULE_NOT_PINNED, 1, 'node:latest']]);
    expect(verdicts('copy-from-image.Dockerfile', { allowed: [...DEFAULT_ALLOWED_BASE_IMAGES, 'busybox'], requireDigest: false })).toEqual([]);
    expect(verdicts('copy-from-image.Dockerfile', { allowed: ['gcr.io/*', 'cgr.dev/*', 'docker.io/library/busybox'], requireDigest: false })).toEqual([]);
    expect(verdicts('lowercase.Dockerfile', { allowed: ['ubuntu:22.*'], requireDigest: false })).toEqual([]);
    expect(verdicts('lowercase.Dockerfile', { allowed: ['ubuntu:24.*'], requireDigest: false })).toEqual([[RULE_NOT_ALLOWED, 1, 'ubuntu:22.04']]);
    // A name pattern never matches a different repository that only shares a prefix.
    expect(verdicts('node-latest.Dockerfile', { allowed: ['nod'], requireDigest: false })).toEqual([[RULE_NOT_ALLOWED, 1, 'node:latest']]);
  });

  test('scratch needs no digest, but must be allowed', () => {
    expect(verdicts('scratch.Dockerfile', { allowed: ['alpine'] })).toEqual([[RULE_NOT_ALLOWED, 3, 'scratch']]);
  });
});

describe('finding Dockerfiles', () => {
  test.each([
    ['Dockerfile', true], ['dockerfile', true], ['api.Dockerfile', true], ['Dockerfile.prod', true], ['Containerfile', true],
    ['Dockerfile-old', false], ['README.md', false], ['dockerfile.ts', true],
  ])('%s: %s', (name, expected) => {
    expect(isDockerfileName(name)).toBe(expected);
  });

  test('every fixture is found, sorted', () => {
    const found = findDockerfiles(DIR);
    expect(found).toContain('node-latest.Dockerfile');
    expect(found).toEqual([...found].sort());
    expect(found.length).toBe(16);
  });
});
