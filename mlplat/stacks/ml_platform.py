"""Placement of the ML platform services (module 3) in the ML platform account, and the products'
launch access in every team dev account.

Reads account ids, OU ids and paths, and the organization id; exports the products bucket and key, and
each team's pipeline role and deployment bucket and key, which the team stacks of modules 4 and 5 read, as
they name the ML event bus, the central registry and the image repositories (:func:`ml_bus_arn`,
:func:`central_registry_prefix`, :func:`image_repository_arns`).
"""

from __future__ import annotations

from mlplat.resolve import naming
from mlplat.resolve.model import MlTeam, Org
from mlplat.stacks.context import StackHandle, StackSet

ML_BUS = "ml-models"


def central_registry_prefix(reader: StackHandle) -> str:
    """'arn:aws:sagemaker:<region>:<ML platform account>:model-package-group/', as ``reader`` names it."""
    org = reader.org
    return f"arn:aws:sagemaker:{org.home_region}:{reader.account_id(org.ml_platform_account)}:model-package-group/"


def ml_bus_arn(reader: StackHandle) -> str:
    """The ARN of the central ML event bus, as ``reader`` names it."""
    from mlplat.modules.ml_platform.event_bus import bus_arn

    org = reader.org
    return bus_arn(org.home_region, reader.account_id(org.ml_platform_account), ML_BUS)


def image_repository_arns(reader: StackHandle) -> list[str]:
    """The ARNs of the platform's image repositories, as ``reader`` names them."""
    from mlplat.modules.ml_platform import defaults
    from mlplat.modules.ml_platform.image_repositories import repository_arn

    org = reader.org
    account = reader.account_id(org.ml_platform_account)
    return [repository_arn(org.home_region, account, f"{image_name_prefix(org)}/{kind}")
            for kind in defaults.IMAGE_REPOSITORIES]


def image_name_prefix(org: Org) -> str:
    return f"{org.name}/ml"


def team_ous(stacks: StackSet, environments: tuple[str, ...]) -> list[str]:
    """The OU paths holding the teams' accounts of these environments, sorted."""
    org = stacks.org
    return sorted({org.account(key).ou for t in org.teams for env, key in t.accounts.items()
                   if env in environments and org.account(key).ou})


def place(stacks: StackSet) -> None:
    from mlplat.modules.base import statement
    from mlplat.modules.ml_platform import defaults
    from mlplat.modules.ml_platform.central_registry import CentralModelRegistry, CentralModelRegistryProps, TeamRegistry
    from mlplat.modules.ml_platform.deployment_pipeline import (
        Environment,
        TeamDeploymentPipeline,
        TeamDeploymentPipelineProps,
    )
    from mlplat.modules.ml_platform.event_bus import ModelEventBus, ModelEventBusProps
    from mlplat.modules.ml_platform.image_repositories import ImageRepositories, ImageRepositoriesProps
    from mlplat.modules.ml_platform.product_portfolio import Product, ProductPortfolio, ProductPortfolioProps
    from mlplat.modules.storage.customer_key import CustomerKey, CustomerKeyProps
    from mlplat.modules.storage.private_bucket import PrivateBucket, PrivateBucketProps
    from mlplat.templates import servicecatalog

    org = stacks.org
    if not org.teams:
        return
    region = org.home_region
    handle = stacks.for_account(org.ml_platform_account)
    if not handle.built:
        return
    provider = handle.provider(region)
    account = handle.account_id()
    organization_id = handle.value("organization_id")
    ml_paths = [handle.ou_org_path(ou) for ou in team_ous(stacks, ("dev", "test", "prod"))]

    key = CustomerKey(handle.scope, "platform-key", CustomerKeyProps(
        alias=f"alias/{org.name}-ml-platform", description="ML platform: images, product templates, audit logs",
        account_id=account, provider=provider, policy_statements=[
            statement("CloudWatchLogsEncrypts", ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*",
                                                 "kms:ReEncrypt*"], "*",
                      principals={"Service": f"logs.{region}.amazonaws.com"},
                      conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn":
                                              f"arn:aws:logs:{region}:{account}:log-group:*"}}),
            statement("EventBridgeEncrypts", ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"], "*",
                      principals={"Service": "events.amazonaws.com"},
                      conditions={"StringEquals": {"aws:SourceAccount": account}}),
        ]))
    access_logs = PrivateBucket(handle.scope, "access-logs", PrivateBucketProps(
        bucket_name=naming.access_logs_bucket_name(org.name, account, region), account_id=account,
        kms_key_arn=None, access_logs_bucket=None, provider=provider))
    products_bucket = PrivateBucket(handle.scope, "products", PrivateBucketProps(
        bucket_name=naming.products_bucket_name(org.name, account, region), account_id=account,
        kms_key_arn=key.arn, access_logs_bucket=access_logs.bucket_name, provider=provider))
    handle.export("products_bucket_arn", products_bucket.arn)
    handle.export("products_key_arn", key.arn)

    deploy_template = servicecatalog.template_text("project-model-deploy")
    dev_ous = team_ous(stacks, ("dev",))
    ProductPortfolio(handle.scope, "ml-products", ProductPortfolioProps(
        name=f"{org.name}-ml-products", bucket=products_bucket.bucket_name, region=region, key_arn=key.arn,
        products=[Product(key=p.key, name=p.name, description=p.description,
                          template=servicecatalog.template_text(p.key), tags=p.tags)
                  for p in servicecatalog.PRODUCTS],
        share_with_ou_arns=[f"arn:aws:organizations::{org.management_account_id}:ou/{organization_id}/{handle.ou_id(ou)}"
                            for ou in dev_ous],
        deploy_template=deploy_template, provider=provider))

    bus = ModelEventBus(handle.scope, "ml-event-bus", ModelEventBusProps(
        name=ML_BUS, account_id=account, region=region, organization_id=organization_id, sender_org_paths=ml_paths,
        key_arn=key.arn, provider=provider))
    if bus.arn != ml_bus_arn(handle):
        raise RuntimeError("the ML event bus is not the one the team stacks name")

    images = ImageRepositories(handle.scope, "images", ImageRepositoriesProps(
        name_prefix=image_name_prefix(org), account_id=account, region=region, organization_id=organization_id,
        puller_org_paths=ml_paths, key_arn=key.arn, provider=provider))
    if list(images.arns) != image_repository_arns(handle):
        raise RuntimeError("the image repositories are not the ones the team stacks name")

    CentralModelRegistry(handle.scope, "central-registry", CentralModelRegistryProps(
        account_id=account, region=region, provider=provider, teams=[
            TeamRegistry(team=t.name, groups=[t.model_package_group(u) for u in t.use_cases],
                         registering_account_ids=_ids(handle, t, ("dev", "test")),
                         reading_account_ids=_ids(handle, t, ("test", "prod")),
                         approving_account_ids=_ids(handle, t, ("dev",)))
            for t in org.teams]))

    for team in org.teams:
        environments = [Environment(name=env, account_id=handle.account_id(team.accounts[env]))
                        for env in ("test", "prod") if env in team.accounts]
        if environments and team.endpoint_instance_type:
            pipeline = TeamDeploymentPipeline(handle.scope, f"deployment-{team.name}", TeamDeploymentPipelineProps(
                org=org.name, team=team.name, account_id=account, region=region,
                use_cases={u: team.model_package_group(u) for u in team.use_cases},
                endpoint_instance_type=team.endpoint_instance_type,
                environments=environments,
                bucket_name=naming.deployment_bucket_name(org.name, team.name, account),
                access_logs_bucket=access_logs.bucket_name,
                source_bucket_arn=products_bucket.arn, source_bucket_name=products_bucket.bucket_name,
                source_object_key=defaults.DEPLOY_SOURCE_KEY,
                source_key_arn=key.arn, deploy_template_file=defaults.DEPLOY_TEMPLATE_FILE,
                prod_approvers=defaults.SSO_ROLE_IN_ACCOUNT.format(
                    account=environments[-1].account_id, persona="ml-engineer"),
                provider=provider))
            handle.export("pipeline_role_arn", pipeline.pipeline_role_arn, team.name)
            handle.export("deployment_bucket_arn", pipeline.bucket.arn, team.name)
            handle.export("deployment_key_arn", pipeline.key.arn, team.name)


def place_catalog_access(stacks: StackSet, team: MlTeam, passable_role_arns: list[str], key_arn: str) -> None:
    """The launch access of one team dev account (called by the module 4 placement, which has its roles)."""
    from mlplat.modules.ml_platform.catalog_access import TeamCatalogAccess, TeamCatalogAccessProps

    handle = stacks.for_account(team.accounts["dev"])
    TeamCatalogAccess(handle.scope, "catalog-access", TeamCatalogAccessProps(
        account_id=handle.account_id(), region=stacks.org.home_region, key_arn=key_arn,
        passable_role_arns=passable_role_arns, template_bucket_arn=handle.value("products_bucket_arn"),
        products_key_arn=handle.value("products_key_arn"), provider=handle.provider()))


def _ids(reader: StackHandle, team: MlTeam, environments: tuple[str, ...]) -> list[str]:
    return [reader.account_id(team.accounts[e]) for e in environments if e in team.accounts]
