from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

_REQUIRED = ("subnets", "security_group_ids")


class CKV_MLP_007(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker models must be attached to the workload's VPC.

    Wrong: no ``vpc_config`` block, or one with no subnets or no security groups. The endpoints
    and batch transform jobs that run the model then use a network managed by SageMaker, outside
    the account's security groups, VPC endpoints, flow logs and egress controls.

    Good: a ``vpc_config`` block with the workload's private ``subnets`` (in at least two
    Availability Zones) and ``security_group_ids`` that allow only the traffic the model needs,
    and VPC endpoints for the AWS services it calls.
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker model runs in the VPC (vpc_config with subnets and security groups)",
            id="CKV_MLP_007",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_sagemaker_model"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/dg/host-vpc.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = [f"vpc_config/[0]/{key}" for key in _REQUIRED]
        vpc_config = (conf.get("vpc_config") or [None])[0]
        if not isinstance(vpc_config, dict):
            return CheckResult.FAILED
        unknown = False
        for key in _REQUIRED:
            value = (vpc_config.get(key) or [None])[0]
            if isinstance(value, str) and "${" in value:
                unknown = True
            elif not value:
                return CheckResult.FAILED
        return CheckResult.UNKNOWN if unknown else CheckResult.PASSED


check = CKV_MLP_007()
