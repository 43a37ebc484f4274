"""moto's server, with the IAM behaviour AWS documents that moto fakes or
lacks.

- `GetCredentialReport`'s `GeneratedTime` is "the date and time when the
  credential report was created" (IAM API reference); moto answers a fixed
  2015-02-02 for every report. Here it is the time `GenerateCredentialReport`
  first started the report, as IAM says.
- Service-specific credentials (`Create`/`List`/`Update`/
  `DeleteServiceSpecificCredential(s)`) are not in moto. Here they are kept
  per account, as the IAM API reference documents them: at most two per
  user and service (`LimitExceeded`), `AllUsers` not with `UserName`
  (`ValidationError`), an unknown user or credential `NoSuchEntity`,
  `MaxItems`/`Marker` paging; Bedrock API keys (`bedrock.amazonaws.com`)
  expire after `CredentialAgeDays` when it is given, never otherwise. moto
  serializes every answer from botocore's IAM model.
- Centralized root access (`ListOrganizationsFeatures`,
  `EnableOrganizationsRootCredentialsManagement`,
  `EnableOrganizationsRootSessions`) is not in moto either. Here, as the
  IAM reference documents: only the organization's management account may
  call them (`AccountNotManagementOrDelegatedAdministratorException`), an
  account in no organization gets `OrganizationNotFoundException`, and the
  features enabled are kept per organization.

Everything else is moto as shipped.

Run as `python moto_server.py -H 127.0.0.1 -p PORT` (moto.server's own
arguments).
"""

import datetime
import secrets
import string

from moto.core.responses import ActionResult, EmptyResult
from moto.iam import models, responses
from moto.iam.exceptions import (
    IAMException,
    LimitExceededException,
    NoSuchEntity,
    ValidationError,
)
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


def _service_credentials(backend):
    if not hasattr(backend, "iamkeys_service_credentials"):
        backend.iamkeys_service_credentials = []
    return backend.iamkeys_service_credentials


def _random(alphabet, length):
    return "".join(secrets.choice(alphabet) for _ in range(length))


BEDROCK = "bedrock.amazonaws.com"


def create_service_specific_credential(self):
    user_name = self._get_param("UserName")
    service = self._get_param("ServiceName")
    age = self._get_int_param("CredentialAgeDays")
    self.backend.get_user(user_name)
    creds = _service_credentials(self.backend)
    if len([c for c in creds if c["UserName"] == user_name and c["ServiceName"] == service]) >= 2:
        raise LimitExceededException(
            "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2"
        )
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    alias = f"{user_name}-at-{self.current_account}"
    credential = {
        "CreateDate": now,
        "ServiceName": service,
        "ServiceUserName": alias,
        "UserName": user_name,
        "ServiceSpecificCredentialId": "ACCA" + _random(string.ascii_uppercase + string.digits, 17),
        "Status": "Active",
    }
    secret = {}
    if service == BEDROCK:
        credential["ServiceCredentialAlias"] = alias
        if age:
            credential["ExpirationDate"] = now + datetime.timedelta(days=age)
        secret["ServiceCredentialSecret"] = _random(string.ascii_letters + string.digits, 60)
    else:
        secret["ServicePassword"] = _random(string.ascii_letters + string.digits, 40)
    creds.append(credential)
    return ActionResult({"ServiceSpecificCredential": {**credential, **secret}})


def list_service_specific_credentials(self):
    user_name = self._get_param("UserName")
    service = self._get_param("ServiceName")
    all_users = self._get_bool_param("AllUsers", False)
    if all_users and user_name:
        raise ValidationError("AllUsers cannot be specified together with UserName.")
    if user_name:
        self.backend.get_user(user_name)
    items = [
        c
        for c in _service_credentials(self.backend)
        if (all_users or c["UserName"] == user_name) and (not service or c["ServiceName"] == service)
    ]
    start = int(self._get_param("Marker") or 0)
    size = self._get_int_param("MaxItems") or 100
    page = items[start : start + size]
    result = {"ServiceSpecificCredentials": page, "IsTruncated": start + size < len(items)}
    if result["IsTruncated"]:
        result["Marker"] = str(start + size)
    return ActionResult(result)


def _find_service_credential(self):
    user_name = self._get_param("UserName")
    credential_id = self._get_param("ServiceSpecificCredentialId")
    self.backend.get_user(user_name)
    for c in _service_credentials(self.backend):
        if c["UserName"] == user_name and c["ServiceSpecificCredentialId"] == credential_id:
            return c
    raise NoSuchEntity(f"No such credential {credential_id} for user {user_name}.")


def update_service_specific_credential(self):
    credential = _find_service_credential(self)
    status = self._get_param("Status")
    if status not in ("Active", "Inactive"):
        raise ValidationError(f"Value '{status}' at 'status' failed to satisfy constraint.")
    credential["Status"] = status
    return EmptyResult()


def delete_service_specific_credential(self):
    credential = _find_service_credential(self)
    _service_credentials(self.backend).remove(credential)
    return EmptyResult()


class _Error(IAMException):
    """An IAM error of the given code."""

    def __init__(self, code, message):
        self.code = code
        super().__init__(message)


def _organization_of(self):
    """The caller's organization, if it is its management account."""
    from moto.organizations.models import organizations_backends

    backend = organizations_backends[self.current_account][self.partition]
    if backend.org is None:
        if self.current_account in organizations_backends.master_accounts:
            raise _Error(
                "AccountNotManagementOrDelegatedAdministratorException",
                "The request was rejected because the account is not the management account or delegated administrator.",
            )
        raise _Error(
            "OrganizationNotFoundException",
            "The request was rejected because no organization is associated with your account.",
        )
    return backend.org


def _features(org):
    if not hasattr(org, "iamkeys_features"):
        org.iamkeys_features = []
    return org.iamkeys_features


def list_organizations_features(self):
    org = _organization_of(self)
    return ActionResult({"OrganizationId": org.id, "EnabledFeatures": list(_features(org))})


def _enable(feature):
    def enable(self):
        org = _organization_of(self)
        if feature not in _features(org):
            _features(org).append(feature)
        return ActionResult({"OrganizationId": org.id, "EnabledFeatures": list(_features(org))})

    return enable


models.IAMBackend.generate_report = generate_report
responses.IamResponse.list_organizations_features = list_organizations_features
responses.IamResponse.enable_organizations_root_credentials_management = _enable(
    "RootCredentialsManagement"
)
responses.IamResponse.enable_organizations_root_sessions = _enable("RootSessions")
responses.IamResponse.create_service_specific_credential = create_service_specific_credential
responses.IamResponse.list_service_specific_credentials = list_service_specific_credentials
responses.IamResponse.update_service_specific_credential = update_service_specific_credential
responses.IamResponse.delete_service_specific_credential = delete_service_specific_credential
responses.IamResponse.get_credential_report = get_credential_report

if __name__ == "__main__":
    main()
