from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CKV_MLP_002(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker domains must encrypt their storage with a customer managed KMS key.

    Wrong: no ``kms_key_id``. The domain's EFS volume (every user's home directory, with notebooks
    and data copies) is then encrypted with an AWS managed key, whose use cannot be restricted by
    key policy, audited per workload or revoked.

    Good: ``kms_key_id`` set to the ARN of a customer managed key owned by the platform, whose key
    policy admits only the domain's execution roles and the platform's administrators.

    Stock check CKV_AWS_187 asks the same; the pack keeps its own so that the platform's rule
    does not depend on checkov's stock set (a waiver must then name both ids).
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker domain storage is encrypted with a customer managed KMS key (kms_key_id)",
            id="CKV_MLP_002",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_sagemaker_domain"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateDomain.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = ["kms_key_id"]
        value = (conf.get("kms_key_id") or [None])[0]
        if isinstance(value, str) and value.strip():
            return CheckResult.PASSED
        return CheckResult.FAILED


check = CKV_MLP_002()
