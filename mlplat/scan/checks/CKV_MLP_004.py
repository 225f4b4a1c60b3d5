from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

SCP_MAX_CHARACTERS = 5120


class CKV_MLP_004(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """Service control policies must fit the AWS Organizations size quota of 5,120 characters.

    Wrong: an ``aws_organizations_policy`` of type ``SERVICE_CONTROL_POLICY`` (the default type)
    whose ``content`` is longer than 5,120 characters. The quota is fixed and cannot be raised, so
    ``terraform apply`` fails half-way through a deployment with a policy-size error. Policies
    created through the API count every character as written, white space included.

    Good: content within the quota, written as a literal minified JSON string (so that this check
    can measure it), with actions grouped by wildcards or the guardrails split over several SCPs
    (up to five per target). Content that is a Terraform expression is only known at apply time
    and is not judged here.
    """

    def __init__(self) -> None:
        super().__init__(
            name=f"Service control policy content is at most {SCP_MAX_CHARACTERS} characters",
            id="CKV_MLP_004",
            categories=[CheckCategories.IAM],
            supported_resources=["aws_organizations_policy"],
            guideline="https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["type", "content"]
        policy_type = (conf.get("type") or ["SERVICE_CONTROL_POLICY"])[0]
        if not isinstance(policy_type, str) or "${" in policy_type:
            return CheckResult.UNKNOWN
        if policy_type != "SERVICE_CONTROL_POLICY":
            return CheckResult.UNKNOWN
        content = (conf.get("content") or [None])[0]
        if not isinstance(content, str) or "${" in content:
            return CheckResult.UNKNOWN
        if len(content) > SCP_MAX_CHARACTERS:
            self.details = [f"content has {len(content)} characters; the quota is {SCP_MAX_CHARACTERS}"]
            return CheckResult.FAILED
        return CheckResult.PASSED


check = CKV_MLP_004()
