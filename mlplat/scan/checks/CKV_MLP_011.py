from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


class CKV_MLP_011(BaseResourceCheck):  # noqa: N801 - the class name is the check id
    """SageMaker domains must not share notebook output and must give users security groups.

    Wrong: ``default_user_settings`` with ``sharing_settings`` whose ``notebook_output_option``
    is ``Allowed``: every notebook a user shares then carries its cell output (query results,
    samples of training data, printed secrets) to an S3 location that other users read. Also
    wrong: ``default_user_settings`` without ``security_groups``, which leaves the traffic of the
    users' apps in the VPC without the platform's rules (and a ``VpcOnly`` domain without them
    fails at apply).

    Good: ``notebook_output_option = "Disabled"`` (AWS's default when ``sharing_settings`` or the
    option is left out, so leaving it out passes) and ``security_groups`` set to groups that allow
    only the traffic Studio needs (SageMaker adds the one for the domain's EFS volume itself).
    """

    def __init__(self) -> None:
        super().__init__(
            name="SageMaker domain default user settings disable notebook output sharing and set security groups",
            id="CKV_MLP_011",
            categories=[CheckCategories.GENERAL_SECURITY, CheckCategories.NETWORKING],
            supported_resources=["aws_sagemaker_domain"],
            guideline="https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UserSettings.html",
        )

    def scan_resource_conf(self, conf):
        self.evaluated_keys = [
            "default_user_settings/[0]/sharing_settings/[0]/notebook_output_option",
            "default_user_settings/[0]/security_groups",
        ]
        settings = (conf.get("default_user_settings") or [{}])[0]
        sharing = (settings.get("sharing_settings") or [{}])[0]
        option = (sharing.get("notebook_output_option") or ["Disabled"])[0]
        groups = (settings.get("security_groups") or [None])[0]
        unknown, problems = False, []
        if isinstance(option, str) and "${" in option:
            unknown = True
        elif option != "Disabled":
            problems.append(f"sharing_settings.notebook_output_option is {option!r}")
        if isinstance(groups, str) and "${" in groups:
            unknown = True
        elif not groups:
            problems.append("default_user_settings has no security_groups")
        if problems:
            self.details = problems
            return CheckResult.FAILED
        return CheckResult.UNKNOWN if unknown else CheckResult.PASSED


check = CKV_MLP_011()
