"""Placement of the organization stack: structure, delegated administrators, SCPs and Identity Center.

Everything here lives in the organization stack (management account). Exports the ids of the accounts
the organization creates and of its OUs, ``organization_id``, ``organization_arn`` and ``organization_root_id``.
"""

from __future__ import annotations

from mlplat.resolve.naming import log_archive_bucket_pattern
from mlplat.stacks import observability
from mlplat.stacks.context import StackSet


def place(stacks: StackSet) -> None:
    from mlplat.modules.foundations.detective.macie import MacieAdministrator, MacieAdministratorProps
    from mlplat.modules.foundations.identity import grants
    from mlplat.modules.foundations.identity.identity_center import (
        AccountAssignment,
        IdentityCenter,
        IdentityCenterProps,
        PermissionSet,
    )
    from mlplat.modules.foundations.organization.delegated_admins import (
        SERVICE_CATALOG_PRINCIPAL,
        DelegatedAdministrators,
        DelegatedAdministratorsProps,
        RegionalSecurityAdministrators,
        RegionalSecurityAdministratorsProps,
        ServiceCatalogOrganizationsAccess,
        ServiceCatalogOrganizationsAccessProps,
    )
    from mlplat.modules.foundations.organization.service_control_policies import (
        PolicyAttachment,
        ScpParameters,
        ServiceControlPolicies,
        ServiceControlPoliciesProps,
    )
    from mlplat.modules.foundations.organization.structure import (
        MemberAccountSpec,
        OrganizationalUnitSpec,
        OrganizationStructure,
        OrganizationStructureProps,
    )

    org = stacks.org
    handle = stacks.organization
    if not handle.built:
        return
    handle.provider()  # the home region's provider is the stack's default one
    scope = handle.scope

    structure = OrganizationStructure(scope, "organization", OrganizationStructureProps(
        organizational_units=[OrganizationalUnitSpec(path=ou.path, name=ou.name, parent=ou.parent)
                              for ou in org.organizational_units],
        accounts=[MemberAccountSpec(key=a.key, name=a.name, email=a.email, parent=a.ou, role_name=org.execution_role,
                                    tags=a.tags, account_id=a.account_id)
                  for a in org.members if a.ou is not None],
    ))
    for key, account_id in structure.account_ids.items():
        if org.account(key).account_id is None:  # adopted accounts keep their literal id
            handle.export("account_id", account_id, key)
    handle.export("organization_id", structure.organization_id)
    handle.export("organization_arn", structure.organization_arn)
    handle.export("organization_root_id", structure.root_id)
    for path, ou_id in structure.ou_ids.items():
        handle.export("ou_id", ou_id, path)
    stacks.shared.organization = structure.organization

    admin_account_id = handle.account_id(org.core("security_tooling").key)
    DelegatedAdministrators(scope, "delegated-admins", DelegatedAdministratorsProps(
        admin_account_id=admin_account_id, depends_on=[structure.organization],
    ))
    # the ML platform account shares the Service Catalog portfolio with the ML OUs
    catalog_access = ServiceCatalogOrganizationsAccess(scope, "servicecatalog-access", ServiceCatalogOrganizationsAccessProps(
        depends_on=[structure.organization]))
    DelegatedAdministrators(scope, "ml-platform-admin", DelegatedAdministratorsProps(
        admin_account_id=handle.account_id(org.ml_platform_account),
        service_principals=[SERVICE_CATALOG_PRINCIPAL], depends_on=[structure.organization, catalog_access.access],
    ))
    for region in handle.regions():
        RegionalSecurityAdministrators(scope, f"security-admins-{region}", RegionalSecurityAdministratorsProps(
            admin_account_id=admin_account_id,
            provider=handle.provider(region) if region != org.home_region else None,
            depends_on=[structure.organization],
        ))
    # Macie inspects the platform's data, which lives in the home region: administered there only
    MacieAdministrator(scope, "macie-admin", MacieAdministratorProps(
        admin_account_id=admin_account_id, depends_on=[structure.organization]))

    ServiceControlPolicies(scope, "service-control-policies", ServiceControlPoliciesProps(
        name_prefix=org.name,
        policies=dict(org.controls.service_control_policies),
        attachments=[PolicyAttachment(target=ou.path, target_id=handle.ou_id(ou.path), policy=name)
                     for ou in org.organizational_units for name in ou.service_control_policies],
        parameters=ScpParameters(
            allowed_regions=list(org.allowed_regions),
            execution_role_name=org.execution_role,
            region_exempt_role_names=list(org.controls.region_exempt_roles),
            log_archive_bucket_pattern=log_archive_bucket_pattern(org.name),
        ),
        depends_on=[structure.organization],
    ))

    approval_accounts = [handle.account_id(org.core(role).key)
                         for role in ("ml_shared_services_test", "ml_shared_services_prod")]
    IdentityCenter(scope, "identity-center", IdentityCenterProps(
        permission_sets=[
            PermissionSet(
                name=persona.name,
                description=persona.description,
                session_duration=persona.session_duration,
                managed_policies=list(persona.managed_policies),
                inline_policy=grants.inline_policy(persona.name, bucket_prefix=org.name,
                                                   approval_account_ids=approval_accounts,
                                                   ml_platform_account_id=handle.account_id(org.ml_platform_account),
                                                   log_queries=observability.log_queries(handle))
                if persona.builtin else None,
            )
            for persona in org.personas
        ],
        groups={g.group: _group_description(g.persona, g.team) for g in org.groups},
        groups_external=org.groups_external,
        access_control_attributes=dict(grants.ACCESS_CONTROL_ATTRIBUTES),
        account_assignments=[
            AccountAssignment(group=g.group, permission_set=g.persona, target=key, target_id=handle.account_id(key))
            for g in org.groups for key in g.accounts
        ],
    ))


def _group_description(persona: str, team: str | None) -> str:
    return f"{persona} of team {team}" if team else f"{persona} across the organization's accounts"
