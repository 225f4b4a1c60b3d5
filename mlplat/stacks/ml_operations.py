"""Placement of ML operations (module 5) in every team's test and prod accounts.

Reads the spoke VPCs and the hub CIDR (network), the team's pipeline role, deployment bucket and the
platform's images (module 3), and the team's dev bucket and key (module 4).
"""

from __future__ import annotations

from mlplat.resolve import naming
from mlplat.stacks import data_lake, feature_store, ml_platform
from mlplat.stacks.context import StackSet
from mlplat.stacks.exports import deploying_teams


def place(stacks: StackSet) -> None:
    from mlplat.modules.base import TeamRole
    from mlplat.modules.ml_development.environment_parameters import EnvironmentParameters, EnvironmentParametersProps
    from mlplat.modules.ml_development.execution_roles import role_arn
    from mlplat.modules.ml_operations import defaults, grants
    from mlplat.modules.ml_operations.deployment_roles import DeploymentRoles, DeploymentRolesProps
    from mlplat.modules.foundations.network.workload_security_group import (
        WorkloadSecurityGroup,
        WorkloadSecurityGroupProps,
    )
    from mlplat.modules.ml_operations.monitoring import ModelAlerts, ModelAlertsProps
    from mlplat.modules.storage.team_storage import TeamStorage, TeamStorageProps

    org, shared = stacks.org, stacks.shared
    region = org.home_region
    deploying = set(deploying_teams(org))
    for team in org.teams:
        if team.name not in deploying:
            continue  # no test or prod environment, or no instance type the deploy template hosts
        dev = team.accounts.get("dev")
        for env in ("test", "prod"):
            if env not in team.accounts:
                continue
            key = team.accounts[env]
            handle = stacks.for_account(key)
            if not handle.built:
                continue
            provider = handle.provider(region)
            account = handle.account_id()
            storage = TeamStorage(handle.scope, "team-storage", TeamStorageProps(
                team=team.name, account_id=account, region=region, key_alias=f"alias/{org.name}-{team.name}",
                bucket_name=naming.team_bucket_name(org.name, account, region),
                access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region), provider=provider))
            spoke = shared.spokes[key]
            network = WorkloadSecurityGroup(handle.scope, "endpoint-network", WorkloadSecurityGroupProps(
                name=f"{team.name}-{env}-endpoints", vpc_id=spoke.vpc_id,
                description="SageMaker endpoints and jobs: each other, and HTTPS to the VPC endpoints only",
                endpoint_cidr_blocks=[stacks.hub_cidr], s3_prefix_list_id=spoke.s3_prefix_list_id,
                provider=provider))
            deploy_bucket, deploy_key = (handle.value(f"deployment_{n}_arn", team.name) for n in ("bucket", "key"))
            source_bucket, source_key = ((handle.value("team_bucket_arn", dev), handle.value("team_key_arn", dev))
                                         if dev else (None, None))
            scope = grants.DeploymentScope(
                team=team.name, account_id=account, region=region, key_arn=storage.key_arn, bucket_arn=storage.bucket_arn,
                vpc_id=spoke.vpc_id, subnet_ids=list(spoke.subnet_ids), security_group_ids=[network.security_group_id],
                instance_types=list(team.instance_types),
                use_case_stacks=[f"{team.model_package_group(u)}{defaults.ENDPOINT_STACK_SUFFIX}" for u in team.use_cases],
                central_model_package_group_arns=[ml_platform.central_registry_prefix(handle) + team.model_package_group(u)
                                                  for u in team.use_cases],
                deployment_bucket_arn=deploy_bucket, deployment_key_arn=deploy_key,
                model_source_bucket_arn=source_bucket, model_source_key_arn=source_key,
                image_repository_arns=ml_platform.image_repository_arns(handle),
                deployment_role_arn=role_arn(account, defaults.DEPLOYMENT_ROLE),
                model_execution_role_arn=role_arn(account, defaults.MODEL_EXECUTION_ROLE),
                model_monitor_role_arn=role_arn(account, defaults.MODEL_MONITOR_ROLE))
            deployment_roles = DeploymentRoles(handle.scope, "deployment-roles", DeploymentRolesProps(
                scope=scope, pipeline_role_arn=handle.value("pipeline_role_arn", team.name), provider=provider))
            # the team's models read governed data (batch features, retraining) as their execution role
            model_role = defaults.MODEL_EXECUTION_ROLE
            team_roles = [TeamRole(key=model_role, name=deployment_roles.names[model_role],
                                   arn=deployment_roles.arns[model_role])]
            data_lake.place_team_access(stacks, team, env, team_roles)
            feature_store.place_team_access(stacks, team, env, team_roles)
            ModelAlerts(handle.scope, "model-alerts", ModelAlertsProps(
                team=team.name, environment=env, account_id=account, key_arn=storage.key_arn,
                endpoints=[f"{team.model_package_group(u)}-{env}" for u in team.use_cases], provider=provider))
            EnvironmentParameters(handle.scope, "environment", EnvironmentParametersProps(
                values={
                    "/mlplat/network/vpc-id": spoke.vpc_id,
                    "/mlplat/network/private-subnet-ids": ",".join(spoke.subnet_ids),
                    "/mlplat/studio/security-group-id": network.security_group_id,
                    "/mlplat/team/kms-key-arn": storage.key_arn,
                    "/mlplat/team/bucket-name": storage.bucket_name,
                    "/mlplat/team/name": team.name,
                    "/mlplat/roles/model-execution-role-arn": scope.model_execution_role_arn,
                },
                string_lists=["/mlplat/network/private-subnet-ids"], provider=provider))
