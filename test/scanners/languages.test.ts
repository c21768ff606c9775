import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { uncoveredCode } from '../../src/findings/scan';
import { notAnalyzedScript } from '../../src/scanners/languages';

/** The gate's bash detection, run in `dir`: the lines it writes. */
function gateLines(dir: string): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'not-analyzed-')), 'out');
  const r = spawnSync('bash', ['-c', notAnalyzedScript(file)], { cwd: dir, encoding: 'utf8' });
  expect(r.status).toBe(0);
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
}

function tree(files: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'langs-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), '');
  }
  return dir;
}

describe('code no SAST engine covers: the gate (bash) and the local scan list the same', () => {
  test.each([
    ['Go, Gradle/Kotlin, Java and a nested pom.xml', ['main.go', 'pkg/a.go', 'build.gradle.kts', 'settings.gradle', 'svc/pom.xml', 'svc/src/A.java'],
      ['Go (2 files)', 'Groovy/Gradle (1 file)', 'Java (1 file)', 'Kotlin (1 file)', 'Maven project not at the repository root (svc/pom.xml)']],
    ['a root pom.xml covers Java and Kotlin (SpotBugs)', ['pom.xml', 'src/A.java', 'src/B.kt', 'mod/pom.xml'], []],
    ['dependencies and build output are not the project\'s code', ['node_modules/x/a.go', 'web/node_modules/y/b.rb', 'cdk.out/c.cs', '.git/d.c', 'app.py', 'index.ts'], []],
    ['several languages', ['a.rb', 'b.php', 'c.cs', 'd.cpp', 'e.h', 'f.rs', 'g.swift', 'h.scala'],
      ['Scala (1 file)', 'Ruby (1 file)', 'PHP (1 file)', 'C# (1 file)', 'C/C++ (2 files)', 'Rust (1 file)', 'Swift (1 file)']],
  ])('%s', (_n, files, expected) => {
    const dir = tree(files);
    expect(gateLines(dir)).toEqual(expected);
    expect(uncoveredCode(dir)).toEqual(expected);
  });
});
