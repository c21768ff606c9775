"""A gate written in Python (test/languages/run.sh): SecurityGate subclassed from the package's
own language, passed in gates.additional_gates, and found in the synthesized pipeline with its
findings-engine decision line."""
import json
import os
import pathlib

from aws_cdk import App, Environment, Stack
from cdk_devsecops_pipeline import (
    DevSecOpsPipeline, GateBinding, GateReport, IGateContext, PipelineSource, SecurityGate, StaticGatesOptions,
)


class LicenseGate(SecurityGate):
    """The README's example gate, in Python."""

    @property
    def gate_name(self) -> str:
        return "licenses"

    def bind(self, context: IGateContext) -> GateBinding:
        return GateBinding(step=context.gate_step(
            id="LicenseScan",
            gate_name=self.gate_name,
            commands=["license-scanner --sarif /tmp/licenses/report.sarif ."],
            reports=[GateReport(file="/tmp/licenses/report.sarif", format="sarif")],
        ))


def main() -> None:
    out = pathlib.Path(os.environ["CDK_OUTDIR"])
    app = App(outdir=str(out))
    stack = Stack(app, "PipelineStack", env=Environment(account="111111111111", region="eu-west-1"))
    DevSecOpsPipeline(stack, "Pipeline",
        source=PipelineSource.connection("my-org/my-app", "main",
            connection_arn="arn:aws:codeconnections:eu-west-1:111111111111:connection/11111111-2222-3333-4444-555555555555"),
        gates=StaticGatesOptions(additional_gates=[LicenseGate()]),
    )
    app.synth()
    template = json.loads((out / "PipelineStack.template.json").read_text(encoding="utf-8"))
    pipeline = next(r for r in template["Resources"].values() if r["Type"] == "AWS::CodePipeline::Pipeline")
    gates = next(s for s in pipeline["Properties"]["Stages"] if s["Name"] == "SecurityGates")
    names = sorted(a["Name"] for a in gates["Actions"])
    if "LicenseScan" not in names:
        raise SystemExit(f"user gate: no LicenseScan action in SecurityGates ({', '.join(names)})")
    text = json.dumps(template)
    if "cli.js evaluate --gate licenses --fail-on HIGH" not in text:
        raise SystemExit("user gate: the LicenseScan build does not have the findings engine decide (evaluate --gate licenses)")
    print(f"python: a SecurityGate subclass in Python runs in SecurityGates beside {', '.join(n for n in names if n != 'LicenseScan')}")


if __name__ == "__main__":
    main()
