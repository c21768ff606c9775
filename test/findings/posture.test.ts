import { compare, parsePosture, Posture, PostureError } from '../../src/findings/posture';
import { Severity } from '../../src/model/severity';

const BASE: Posture = {
  pipelinePath: 'Stack/Pipeline',
  gates: { secrets: { failOn: Severity.HIGH }, sast: { failOn: Severity.HIGH, suppressions: 'sec/s.yaml' } },
  stages: { Prod: { approval: true, confirmPermissionsBroadening: true } },
  nagPacks: ['AwsSolutions'],
  acknowledgments: ['aaaa', 'bbbb'],
};

const kinds = (after: Partial<Posture> | undefined) => compare(BASE, after && { ...BASE, ...after }).map((w) => w.kind);

describe('compare', () => {
  test('the same posture, or a stricter one, weakens nothing', () => {
    expect(kinds({})).toEqual([]);
    expect(kinds({
      gates: { ...BASE.gates, secrets: { failOn: Severity.MEDIUM }, iac: { failOn: Severity.HIGH } },
      nagPacks: ['AwsSolutions', 'NIST.800.53.R5'],
      acknowledgments: ['aaaa'],
      stages: { ...BASE.stages, Staging: { approval: false, confirmPermissionsBroadening: false } },
    })).toEqual([]);
  });

  test.each([
    ['gate-removed', { gates: { sast: BASE.gates.sast } }],
    ['fail-on-raised', { gates: { ...BASE.gates, secrets: { failOn: Severity.CRITICAL } } }],
    ['suppressions-moved', { gates: { ...BASE.gates, sast: { failOn: Severity.HIGH } } }],
    ['nag-pack-removed', { nagPacks: [] }],
    ['acknowledgment-added', { acknowledgments: ['aaaa', 'bbbb', 'cccc'] }],
    ['approval-dropped', { stages: { Prod: { approval: false, confirmPermissionsBroadening: true } } }],
    ['permissions-broadening-check-dropped', { stages: { Prod: { approval: true, confirmPermissionsBroadening: false } } }],
  ] as const)('%s', (kind, after) => {
    expect(kinds(after as Partial<Posture>)).toEqual([kind]);
  });

  test('a missing pipeline is a weakening; a removed Stage is not', () => {
    expect(kinds(undefined)).toEqual(['pipeline-not-found']);
    expect(kinds({ stages: {} })).toEqual([]);
  });
});

describe('parsePosture', () => {
  test('reads what it writes', () => {
    expect(parsePosture(JSON.stringify(BASE), 'before')).toEqual(BASE);
  });

  test.each([
    ['not JSON', '{', /before: not JSON/],
    ['an unknown severity', JSON.stringify({ ...BASE, gates: { secrets: { failOn: 'SEVERE' } } }), /gates\.secrets is not \{ failOn/],
    ['a missing list', JSON.stringify({ ...BASE, nagPacks: undefined }), /nagPacks is not a list of strings/],
    ['a stage without booleans', JSON.stringify({ ...BASE, stages: { Prod: { approval: 'yes' } } }), /stages\.Prod is not/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parsePosture(text, 'before')).toThrow(PostureError);
    expect(() => parsePosture(text, 'before')).toThrow(message);
  });
});
