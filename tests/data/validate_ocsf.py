"""Validate iamkeys' OCSF output with Prowler's own models (py-ocsf-models),
an implementation nobody here wrote: each finding as a Detection Finding, and
its `unmapped.compliance` as OCSF's Compliance object. Reads a JSON array of Detection Finding
objects on stdin; prints each rejection and exits 1 if any object is refused.

    python3 tests/data/validate_ocsf.py < findings.ocsf.json
"""

import json
import sys

from py_ocsf_models.events.findings.detection_finding import DetectionFinding
from py_ocsf_models.objects.compliance import Compliance


def main() -> int:
    findings = json.load(sys.stdin)
    if not isinstance(findings, list) or not findings:
        print("expected a non-empty JSON array of findings")
        return 1
    refused = 0
    for index, finding in enumerate(findings):
        try:
            DetectionFinding(**finding)
            # A Detection Finding has no `compliance`: iamkeys puts OCSF's
            # Compliance object under `unmapped`; it must read as one, whole.
            # A finding that answers to no control carries none.
            compliance = finding["unmapped"].get("compliance")
            if compliance is None:
                if finding["unmapped"].get("controls"):
                    raise ValueError("controls named but no compliance")
                continue
            read = Compliance(**compliance).model_dump(exclude_none=True)
            if read != {k: v for k, v in compliance.items() if v is not None}:
                raise ValueError(f"compliance not read whole: {compliance} -> {read}")
        except Exception as err:  # pydantic's ValidationError, or a TypeError
            refused += 1
            print(f"finding {index}: {err}")
    print(f"{len(findings) - refused} of {len(findings)} accepted")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
