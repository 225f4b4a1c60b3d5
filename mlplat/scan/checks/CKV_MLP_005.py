from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CKV_MLP_005(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker endpoint configurations must encrypt the endpoint's storage with a KMS key.

    Wrong: no ``kms_key_arn``. The ML storage volumes attached to the endpoint's instances, which
    hold the model artifacts and can hold captured inference data, are then not encrypted with a
    key the platform controls.

    Good: ``kms_key_arn`` set to a customer managed key that the workload account owns (and, when
    data capture is on, the capture configuration's ``kms_key_id`` too).

    Stock check CKV_AWS_98 asks the same; the pack keeps its own so that the platform's rule
    does not depend on checkov's stock set (a waiver must then name both ids).
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker endpoint configuration encrypts its storage with a KMS key (kms_key_arn)",
            id="CKV_MLP_005",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sagemaker_endpoint_configuration"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateEndpointConfig.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["kms_key_arn"]
        value = (conf.get("kms_key_arn") or [None])[0]
        if isinstance(value, str) and value.strip():
            return CheckResult.PASSED
        return CheckResult.FAILED


check = CKV_MLP_005()
