from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CKV_MLP_006(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker models must run their containers in network isolation.

    Wrong: ``enable_network_isolation`` unset or ``false`` (the default). The model's inference
    code, often a third-party or open-source image, can then open connections of its own: to the
    internet when the model has no VPC configuration, or to anything its security groups reach.
    A compromised or careless container can send inference inputs and model weights out.

    Good: ``enable_network_isolation = true``. SageMaker still fetches the model artifacts and
    image for the container, which itself makes no inbound or outbound network calls.

    Stock check CKV_AWS_370 asks the same; the pack keeps its own so that the platform's rule
    does not depend on checkov's stock set (a waiver must then name both ids).
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker model runs its containers in network isolation (enable_network_isolation)",
            id="CKV_MLP_006",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_sagemaker_model"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/dg/mkt-algo-model-internet-free.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["enable_network_isolation"]
        value = (conf.get("enable_network_isolation") or [False])[0]
        if isinstance(value, str) and "${" in value:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if value in (True, "true") else CheckResult.FAILED


check = CKV_MLP_006()
