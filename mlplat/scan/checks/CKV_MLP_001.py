from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CKV_MLP_001(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker domains must keep Studio traffic inside the VPC.

    Wrong: ``app_network_access_type`` unset or ``PublicInternetOnly`` (the default). Studio apps
    then reach the internet through a VPC managed by SageMaker, outside the account's network
    controls, which opens a path for data exfiltration and for pulling unvetted code.

    Good: ``app_network_access_type = "VpcOnly"``, with private subnets and VPC endpoints (or a
    NAT gateway) for the services the notebooks need.
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker domain keeps Studio traffic in the VPC (app_network_access_type = VpcOnly)",
            id="CKV_MLP_001",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_sagemaker_domain"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/dg/studio-notebooks-and-internet-access.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["app_network_access_type"]
        value = (conf.get("app_network_access_type") or ["PublicInternetOnly"])[0]
        if isinstance(value, str) and "${" in value:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if value == "VpcOnly" else CheckResult.FAILED


check = CKV_MLP_001()
