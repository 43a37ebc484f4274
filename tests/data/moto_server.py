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

- Root access keys and centralized root sessions are not in moto either.
  Here, as IAM and STS document them: the credential report's first row
  is `<root_account>` (its keys' columns filled from the account's root
  keys), `GetAccountSummary`'s `AccountAccessKeysPresent` counts them, and
  `CreateAccessKey` without `UserName` signed by the account itself
  (moto's caller whose key no user or role holds, the account named by
  `x-moto-account-id`) makes a root key, as the root user signing in would;
  signed by a role session it is refused as AWS refuses it. `sts:AssumeRoot`
  answers only the management account of an organization whose
  `RootSessions` feature is on, for a member account
  (`TargetPrincipal`), with one of the five `root-task` policies AWS
  documents and `DurationSeconds` at most 900; the session answers
  `GetCallerIdentity` as `arn:aws:iam::<member>:root`, may call only what
  its task policy allows (`IAMDeleteRootUserCredentials`: the root user's
  keys, certificates, password and MFA devices, listed and deleted), and
  `ListAccessKeys`/`DeleteAccessKey` without `UserName` act on the root
  user's keys.

- IAM Access Analyzer is not in moto (it answers 500). Here an account has
  no analyzer: `ListAnalyzers` answers an empty list, as AWS does for an
  account without one, and every other Access Analyzer request
  `ResourceNotFoundException`. The suite's proxy serves analyzers and
  findings where a test wants them.

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


# --- Root access keys and centralized root sessions -------------------------

ROOT_TASKS = {
    # https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html
    "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials": {
        "GetAccessKeyLastUsed", "GetLoginProfile", "GetUser", "ListAccessKeys",
        "ListMFADevices", "ListSigningCertificates",
    },
    "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword": {
        "CreateLoginProfile", "GetLoginProfile",
    },
    "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials": {
        "DeactivateMFADevice", "DeleteAccessKey", "DeleteLoginProfile",
        "DeleteSigningCertificate", "DeleteVirtualMFADevice", "GetAccessKeyLastUsed",
        "GetLoginProfile", "GetUser", "ListAccessKeys", "ListMFADevices",
        "ListSigningCertificates",
    },
    "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy": set(),
    "arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy": set(),
}


def _root_keys(backend):
    if not hasattr(backend, "iamkeys_root_keys"):
        backend.iamkeys_root_keys = []
    return backend.iamkeys_root_keys


def _root_session(response):
    """The task policy of the root session that signed this request, if one did."""
    key = models.iam_backends[response.current_account][response.partition].access_keys.get(
        response.get_access_key()
    )
    return getattr(key, "iamkeys_root_task", None)


def _account_itself(response):
    """Signed by the account itself: a key no user, role or session holds."""
    return response.get_access_key() not in models.iam_backends[response.current_account][
        response.partition
    ].access_keys


_call_action = responses.IamResponse.call_action


def call_action(self):
    """A root session may call only what its task policy allows."""
    task = _root_session(self)
    action = self._get_action()
    if task is not None and action not in ROOT_TASKS.get(task, set()):
        denied = _Error(
            "AccessDenied",
            f"User: arn:aws:iam::{self.current_account}:root is not authorized to perform: "
            f"iam:{action} because no session policy allows the iam:{action} action",
        )
        _, headers, body = self.serialized(ActionResult(denied))
        headers, body = self._enrich_response(headers, body)
        return 403, headers, body
    return _call_action(self)


def _root_key_metadata(key):
    return {
        "AccessKeyId": key.access_key_id,
        "Status": key.status,
        "CreateDate": key.create_date,
    }


_create_access_key = responses.IamResponse.create_access_key
_list_access_keys = responses.IamResponse.list_access_keys
_delete_access_key = responses.IamResponse.delete_access_key


def create_access_key(self):
    if self._get_param("UserName"):
        return _create_access_key(self)
    if not _account_itself(self):
        key = self.backend.access_keys.get(self.get_access_key())
        if key is None or key.user_name is None:
            raise ValidationError("Must specify userName when calling with non-User credentials")
        return _create_access_key(self)
    keys = _root_keys(self.backend)
    if len(keys) >= 2:
        raise LimitExceededException("Cannot exceed quota for AccessKeysPerUser: 2")
    key = models.AccessKey(None, prefix="AKIA", account_id=self.current_account)
    keys.append(key)
    self.backend.access_keys[key.physical_resource_id] = key
    self.backend.account_summary._account_access_keys_present = 1
    return ActionResult({"AccessKey": {**_root_key_metadata(key), "SecretAccessKey": key.secret_access_key}})


def list_access_keys(self):
    if self._get_param("UserName") or _root_session(self) is None:
        return _list_access_keys(self)
    keys = [_root_key_metadata(k) for k in _root_keys(self.backend)]
    return ActionResult({"AccessKeyMetadata": keys, "IsTruncated": False})


def delete_access_key(self):
    if self._get_param("UserName") or _root_session(self) is None:
        return _delete_access_key(self)
    wanted = self._get_param("AccessKeyId")
    keys = _root_keys(self.backend)
    for key in keys:
        if key.access_key_id == wanted:
            keys.remove(key)
            self.backend.access_keys.pop(key.physical_resource_id, None)
            self.backend.account_summary._account_access_keys_present = 1 if keys else 0
            return EmptyResult()
    raise NoSuchEntity(f"The Access Key with id {wanted} cannot be found")


def _root_row(backend, account):
    keys = _root_keys(backend)
    if not hasattr(backend, "iamkeys_account_created"):
        backend.iamkeys_account_created = datetime.datetime.now(datetime.timezone.utc)
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    slots = []
    for i in range(2):
        if i < len(keys):
            k = keys[i]
            slots.append(
                f"{'true' if k.status == 'Active' else 'false'},{k.create_date.strftime(fmt)},N/A,N/A,N/A"
            )
        else:
            slots.append("false,N/A,N/A,N/A,N/A")
    created = backend.iamkeys_account_created.strftime(fmt)
    return (
        f"<root_account>,arn:aws:iam::{account}:root,{created},not_supported,no_information,"
        f"not_supported,not_supported,false,{slots[0]},{slots[1]},false,N/A,false,N/A\n"
    )


_get_report = models.IAMBackend.get_credential_report


def get_credential_report_text(self):
    report = _get_report(self)
    head, _, rows = report.partition("\n")
    return f"{head}\n{_root_row(self, self.account_id)}{rows}"


def _sts_error(code, message):
    from moto.sts.exceptions import STSClientError

    return STSClientError(code, message)


def assume_root(self):
    from moto.organizations.models import organizations_backends

    caller = self.current_account
    target = self._get_param("TargetPrincipal") or ""
    task = self._get_param("TaskPolicyArn") or {}
    task = task.get("arn", "") if isinstance(task, dict) else str(task)
    duration = self._get_int_param("DurationSeconds", 900)
    if duration < 0 or duration > 900:
        raise _sts_error(
            "ValidationError",
            f"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 900",
        )
    if task not in ROOT_TASKS:
        raise _sts_error("ValidationError", f"The task policy {task} is not a root task policy.")
    org = organizations_backends[caller][self.partition].org
    if org is None or org.master_account_id != caller:
        raise _sts_error(
            "AccessDenied",
            f"User: arn:aws:iam::{caller}:user/moto is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{target}:root: only the organization's management account or delegated administrator can"
        )
    members = {a.id for a in organizations_backends[caller][self.partition].accounts}
    if target not in members or target == caller:
        raise _sts_error(
            "AccessDenied",
            f"User: arn:aws:iam::{caller}:user/moto is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{target}:root: the target is not a member account of the organization"
        )
    if "RootSessions" not in _features(org):
        raise _sts_error(
            "AccessDenied",
            f"User: arn:aws:iam::{caller}:user/moto is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::{target}:root because root sessions are not enabled for the organization (EnableOrganizationsRootSessions)"
        )
    member = models.iam_backends[target][self.partition]
    key = member.create_temp_access_key()
    key.iamkeys_root_task = task
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration)
    return ActionResult(
        {
            "Credentials": {
                "AccessKeyId": key.access_key_id,
                "SecretAccessKey": key.secret_access_key,
                "SessionToken": "IQoJb3JpZ2luX2Vj" + _random(string.ascii_letters + string.digits, 300),
                "Expiration": expires.replace(microsecond=0),
            },
            "SourceIdentity": "",
        }
    )


def _sts_caller_identity():
    from moto.sts import responses as sts_responses

    original = sts_responses.TokenResponse.get_caller_identity

    def get_caller_identity(self):
        key = models.iam_backends[self.current_account][self.partition].access_keys.get(
            self.get_access_key()
        )
        if getattr(key, "iamkeys_root_task", None) is not None:
            account = self.current_account
            return ActionResult(
                {"UserId": account, "Account": account, "Arn": f"arn:aws:iam::{account}:root"}
            )
        return original(self)

    sts_responses.TokenResponse.get_caller_identity = get_caller_identity
    sts_responses.TokenResponse.assume_root = assume_root


models.IAMBackend.get_credential_report = get_credential_report_text
responses.IamResponse.call_action = call_action
responses.IamResponse.create_access_key = create_access_key
responses.IamResponse.list_access_keys = list_access_keys
responses.IamResponse.delete_access_key = delete_access_key
_sts_caller_identity()

# --- IAM Access Analyzer: no analyzer --------------------------------------

import json

import moto.server as _moto_server

_Dispatcher = _moto_server.DomainDispatcherApplication


def _access_analyzer(environ, start_response):
    if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") == "/analyzer":
        status, body, headers = "200 OK", {"analyzers": []}, []
    else:
        status = "404 Not Found"
        body = {"message": "No such analyzer or finding in this account."}
        headers = [("x-amzn-ErrorType", "ResourceNotFoundException")]
    text = json.dumps(body).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(text)))] + headers,
    )
    return [text]


class _WithAccessAnalyzer(_Dispatcher):
    def __call__(self, environ, start_response):
        if "/access-analyzer/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
            return _access_analyzer(environ, start_response)
        return super().__call__(environ, start_response)


_moto_server.DomainDispatcherApplication = _WithAccessAnalyzer

if __name__ == "__main__":
    main()
