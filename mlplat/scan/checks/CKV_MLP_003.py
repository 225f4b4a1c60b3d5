from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_REQUIRED = ("direct_internet_access", "root_access")


class CKV_MLP_003(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker notebook instances must have neither direct internet access nor root access.

    Wrong: ``direct_internet_access`` or ``root_access`` unset or ``Enabled`` (both default to
    ``Enabled``). With direct internet access, the instance bypasses the VPC's egress controls;
    with root access, any notebook user can change the instance's software and read every file on
    it, including other users' credentials.

    Good: ``direct_internet_access = "Disabled"`` and ``root_access = "Disabled"``, with the
    instance in a private subnet (``subnet_id``) and any required setup done by a lifecycle
    configuration, which still runs as root. See also
    https://docs.aws.amazon.com/sagemaker/latest/dg/nbi-root-access.html.

    Stock checks CKV_AWS_122 and CKV_AWS_307 test the two settings one by one; this check keeps
    them together as the platform's rule.
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker notebook instance disables direct internet access and root access",
            id="CKV_MLP_003",
            categories=[CheckCategories.NETWORKING, CheckCategories.IAM],
            supported_resources=["aws_sagemaker_notebook_instance"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/dg/appendix-notebook-and-internet-access.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = list(_REQUIRED)
        unknown = False
        for key in _REQUIRED:
            value = (conf.get(key) or ["Enabled"])[0]
            if isinstance(value, str) and "${" in value:
                unknown = True
            elif value != "Disabled":
                return CheckResult.FAILED
        return CheckResult.UNKNOWN if unknown else CheckResult.PASSED


check = CKV_MLP_003()
