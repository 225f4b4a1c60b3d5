"""What a team dev account needs to provision the platform's products: SageMaker projects on, the launch role."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, service_trust
from mlplat.modules.ml_platform import defaults, grants

SERVICE_CATALOG = "servicecatalog.amazonaws.com"


class TeamCatalogAccessProps(Props):
    account_id: str
    region: str
    key_arn: str
    passable_role_arns: list[str]
    template_bucket_arn: str
    products_key_arn: str
    provider: Any = None


class TeamCatalogAccess(Construct):
    """Turns on SageMaker's Service Catalog integration (projects) in the account and creates the
    launch role the portfolio's launch constraints name: trusted by Service Catalog for this account
    only, allowed to create the products' SageMaker resources with the team's key and roles, through
    CloudFormation stacks that Service Catalog names ``SC-*``."""

    def __init__(self, scope: Construct, id: str, props: TeamCatalogAccessProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        aws.sagemaker_servicecatalog_portfolio_status.SagemakerServicecatalogPortfolioStatus(
            self, "sagemaker-projects", status="Enabled", **provider)
        role = aws.iam_role.IamRole(
            # the launch constraint names the role without a path, so it lives at the root path
            self, "launch-role", name=defaults.LAUNCH_ROLE_NAME, path="/",
            description="Service Catalog launches the platform's ML products with this role",
            assume_role_policy=service_trust(SERVICE_CATALOG, props.account_id, "ServiceCatalogAssumes"), **provider)
        aws.iam_role_policy.IamRolePolicy(
            self, "launch-policy", name="launch-products", role=role.name,
            policy=policy_document(grants.launch(
                account_id=props.account_id, region=props.region, passable_role_arns=props.passable_role_arns,
                key_arn=props.key_arn, template_bucket_arn=props.template_bucket_arn,
                products_key_arn=props.products_key_arn)), **provider)
