"""Placement of ML use case development (module 4) in every team's dev account.

Reads the spoke VPCs and the hub CIDR (network), the ML event bus, the central registry and the
platform's images and products (module 3); exports each dev account's bucket and key, which the test
and prod accounts of the same team read trained models from.
"""

from __future__ import annotations

from mlplat.resolve import naming
from mlplat.stacks import data_lake, feature_store, ml_platform
from mlplat.stacks.context import StackSet

ROLE_NAMES = {"data-scientist": "studio-data-scientist", "ml-team-lead": "studio-ml-team-lead",
              "ml-engineer": "studio-ml-engineer"}


def place(stacks: StackSet) -> None:
    from mlplat.modules.base import TeamRole
    from mlplat.modules.ml_development import defaults, grants
    from mlplat.modules.ml_development.environment_parameters import EnvironmentParameters, EnvironmentParametersProps
    from mlplat.modules.ml_development.execution_roles import ExecutionRoles, ExecutionRolesProps, role_arn
    from mlplat.modules.ml_development.experiment_tracking import ExperimentTracking, ExperimentTrackingProps
    from mlplat.modules.ml_development.local_registry import LocalModelRegistry, LocalModelRegistryProps
    from mlplat.modules.ml_development.studio_domain import StudioMember, TeamStudioDomain, TeamStudioDomainProps
    from mlplat.modules.storage.team_storage import TeamStorage, TeamStorageProps

    org, shared = stacks.org, stacks.shared
    region = org.home_region
    for team in org.teams:
        if "dev" not in team.accounts:
            continue
        key = team.accounts["dev"]
        handle = stacks.for_account(key)
        if not handle.built:
            continue
        provider = handle.provider(region)
        account = handle.account_id()
        readers = {handle.account_id(team.accounts[e]): [defaults.MODELS_PREFIX]
                   for e in ("test", "prod") if e in team.accounts}
        storage = TeamStorage(handle.scope, "team-storage", TeamStorageProps(
            team=team.name, account_id=account, region=region, key_alias=f"alias/{org.name}-{team.name}",
            bucket_name=naming.team_bucket_name(org.name, account, region),
            access_logs_bucket_name=naming.access_logs_bucket_name(org.name, account, region),
            readers=readers, provider=provider))
        handle.export("team_bucket_arn", storage.bucket_arn, key)
        handle.export("team_key_arn", storage.key_arn, key)
        spoke = shared.spokes[key]
        roles = {persona: role_arn(account, name) for persona, name in ROLE_NAMES.items()}
        domain_name = f"{team.name}-studio"
        studio = TeamStudioDomain(handle.scope, "studio", TeamStudioDomainProps(
            domain_name=domain_name, vpc_id=spoke.vpc_id, subnet_ids=list(spoke.subnet_ids),
            endpoint_cidr_blocks=[stacks.hub_cidr], s3_prefix_list_id=spoke.s3_prefix_list_id,
            kms_key_arn=storage.key_arn, default_execution_role_arn=roles["data-scientist"],
            members=[StudioMember(user=m.user, execution_role_arn=roles[m.persona]) for m in team.members],
            idle_timeout_minutes=team.idle_timeout_minutes, provider=provider))
        groups = [team.model_package_group(u) for u in team.use_cases]
        mlflow_arn = (f"arn:aws:sagemaker:{region}:{account}:mlflow-tracking-server/{team.name}"
                      if team.experiment_tracking else None)
        scope = grants.TeamScope(
            account_id=account, region=region, bucket_arn=storage.bucket_arn, key_arn=storage.key_arn,
            vpc_id=spoke.vpc_id, subnet_ids=list(spoke.subnet_ids), security_group_ids=[studio.security_group_id],
            local_model_package_groups=groups,
            central_model_package_group_arns=[ml_platform.central_registry_prefix(handle) + g for g in groups],
            image_repository_arns=ml_platform.image_repository_arns(handle), passable_role_arns=sorted(roles.values()),
            instance_types=list(team.instance_types), mlflow_tracking_server_arn=mlflow_arn)
        execution_roles = ExecutionRoles(handle.scope, "execution-roles", ExecutionRolesProps(
            scope=scope, roles=ROLE_NAMES, grants=dict(grants.PERSONA_GRANTS), provider=provider))
        LocalModelRegistry(handle.scope, "local-registry", LocalModelRegistryProps(
            scope=scope, team=team.name, central_bus_arn=ml_platform.ml_bus_arn(handle),
            central_registry_prefix=ml_platform.central_registry_prefix(handle), provider=provider))
        if team.experiment_tracking:
            ExperimentTracking(handle.scope, "experiment-tracking", ExperimentTrackingProps(
                scope=scope, bucket_name=storage.bucket_name, name=team.name, size=team.experiment_tracking,
                provider=provider))
        EnvironmentParameters(handle.scope, "environment", EnvironmentParametersProps(
            values={
                "/mlplat/network/vpc-id": spoke.vpc_id,
                "/mlplat/network/private-subnet-ids": ",".join(spoke.subnet_ids),
                "/mlplat/studio/security-group-id": studio.security_group_id,
                "/mlplat/studio/domain-id": studio.domain_id,
                "/mlplat/team/kms-key-arn": storage.key_arn,
                "/mlplat/team/bucket-name": storage.bucket_name,
                "/mlplat/team/name": team.name,
                **{f"/mlplat/roles/{p}-execution-role-arn": arn for p, arn in roles.items()},
                # models deployed in dev (the deploy product) run as the data scientists' role
                "/mlplat/roles/model-execution-role-arn": roles["data-scientist"],
            },
            string_lists=["/mlplat/network/private-subnet-ids"], provider=provider))
        ml_platform.place_catalog_access(stacks, team, sorted(roles.values()), storage.key_arn)
        team_roles = [TeamRole(key=ROLE_NAMES[p], name=execution_roles.names[p], arn=execution_roles.arns[p])
                      for p in sorted(ROLE_NAMES)]
        data_lake.place_team_access(stacks, team, "dev", team_roles)
        feature_store.place_team_access(stacks, team, "dev", team_roles)
