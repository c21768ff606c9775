import { GateBinding, GateStepProps, IGateContext, SecurityGate } from '../../src';

/** A gate a user writes (the README's example): one scanner, its SARIF judged by the findings engine. */
export class LicenseGate extends SecurityGate {
  constructor(public readonly gateName: string = 'licenses', private readonly props: Partial<GateStepProps> = {}) {
    super();
  }

  public bind(context: IGateContext): GateBinding {
    return {
      step: context.gateStep({
        id: 'LicenseScan',
        gateName: this.gateName,
        installCommands: ['echo install'],
        commands: ['license-scanner --sarif /tmp/licenses/report.sarif .'],
        reports: [{ file: '/tmp/licenses/report.sarif', format: 'sarif' }],
        ...this.props,
      }),
    };
  }
}
