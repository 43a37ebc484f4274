"""moto's server, with the one IAM behaviour AWS documents that moto fakes.

`GetCredentialReport`'s `GeneratedTime` is "the date and time when the
credential report was created" (IAM API reference); moto answers a fixed
2015-02-02 for every report. Here it is the time `GenerateCredentialReport`
first started the report, as IAM says. Everything else is moto as shipped.

Run as `python moto_server.py -H 127.0.0.1 -p PORT` (moto.server's own
arguments).
"""

import datetime

from moto.core.responses import ActionResult
from moto.iam import models, responses
from moto.server import main

_generate = models.IAMBackend.generate_report


def generate_report(self):
    if not getattr(self, "iamkeys_generated_at", None):
        self.iamkeys_generated_at = datetime.datetime.now(datetime.timezone.utc)
    _generate(self)


def get_credential_report(self):
    report = self.backend.get_credential_report()
    when = getattr(self.backend, "iamkeys_generated_at", None) or datetime.datetime.now(
        datetime.timezone.utc
    )
    return ActionResult(
        {
            "Content": report,
            "ReportFormat": "text/csv",
            "GeneratedTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )


models.IAMBackend.generate_report = generate_report
responses.IamResponse.get_credential_report = get_credential_report

if __name__ == "__main__":
    main()
