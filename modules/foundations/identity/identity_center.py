"""IAM Identity Center: permission sets, groups and account assignments of the organization."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from mlplat.engine import Construct, aws, core
from mlplat.modules.base import Props
from mlplat.modules.foundations.identity import defaults
from mlplat.modules.foundations.organization.naming import unique_ids


class PermissionSet(Props):
    """One permission set: AWS managed policies by name (after ``arn:aws:iam::aws:policy/``) and an inline policy."""

    name: str
    description: str
    session_duration: str
    managed_policies: list[str] = Field(default_factory=list)
    inline_policy: str | None = None


class AccountAssignment(Props):
    """``group`` acts with ``permission_set`` in the account ``target`` (its key), whose id is ``target_id``."""

    group: str
    permission_set: str
    target: str
    target_id: str


class IdentityCenterProps(Props):
    permission_sets: list[PermissionSet]
    groups: dict[str, str]  # group display name -> description
    groups_external: bool  # True: the groups come from an identity provider (SCIM) and are looked up
    account_assignments: list[AccountAssignment]
    # attributes for access control: principal tag key -> the user attribute it is set from
    access_control_attributes: dict[str, str] = Field(default_factory=dict)
    # the Identity Center instance; None: the organization's instance, looked up
    instance_arn: str | None = None
    identity_store_id: str | None = None


class IdentityCenter(Construct):
    """Permission sets, groups and account assignments in the organization's IAM Identity Center instance.

    Looks up the instance (``data.aws_ssoadmin_instances``, the first one) unless given. Creates one
    ``aws_ssoadmin_permission_set`` per permission set (no relay state), one
    ``aws_ssoadmin_managed_policy_attachment`` per AWS managed policy and an
    ``aws_ssoadmin_permission_set_inline_policy`` where given, and the instance's attributes for access
    control (principal tags every session carries, set from the user's attributes). Groups are created in the identity store
    (``aws_identitystore_group``) or, when they come from an external identity provider, looked up by
    display name (``data.aws_identitystore_group``). One ``aws_ssoadmin_account_assignment`` per group and
    account provisions the permission set there, after its policies are in place.
    """

    def __init__(self, scope: Construct, id: str, props: IdentityCenterProps) -> None:
        super().__init__(scope, id)
        if props.instance_arn and props.identity_store_id:
            instance_arn, identity_store_id = props.instance_arn, props.identity_store_id
        else:
            instances = aws.data_aws_ssoadmin_instances.DataAwsSsoadminInstances(self, "instances")
            instance_arn = core.Fn.element(core.Fn.tolist(instances.arns), 0)
            identity_store_id = core.Fn.element(core.Fn.tolist(instances.identity_store_ids), 0)

        if props.access_control_attributes:
            attrs = aws.ssoadmin_instance_access_control_attributes
            attrs.SsoadminInstanceAccessControlAttributes(
                self, "access-control-attributes", instance_arn=instance_arn,
                attribute=[attrs.SsoadminInstanceAccessControlAttributesAttribute(
                    key=key, value=[attrs.SsoadminInstanceAccessControlAttributesAttributeValue(source=[source])])
                    for key, source in sorted(props.access_control_attributes.items())])

        too_long = sorted(p.name for p in props.permission_sets if len(p.name) > defaults.PERMISSION_SET_NAME_MAX)
        if too_long:
            raise ValueError(f"permission set names longer than {defaults.PERMISSION_SET_NAME_MAX} characters: "
                             f"{', '.join(too_long)}")

        set_ids = unique_ids("permission-set", (p.name for p in props.permission_sets), "permission sets")
        self.permission_set_arns: dict[str, str] = {}
        policies_of: dict[str, list[Any]] = {}
        for spec in props.permission_sets:
            permission_set = aws.ssoadmin_permission_set.SsoadminPermissionSet(
                self, set_ids[spec.name],
                name=spec.name,
                description=spec.description,
                session_duration=spec.session_duration,
                instance_arn=instance_arn,
            )
            self.permission_set_arns[spec.name] = permission_set.arn
            policies: list[Any] = []
            managed_ids = unique_ids(f"{set_ids[spec.name]}-managed", spec.managed_policies, "managed policies")
            for policy in sorted(set(spec.managed_policies)):
                policies.append(aws.ssoadmin_managed_policy_attachment.SsoadminManagedPolicyAttachment(
                    self, managed_ids[policy],
                    instance_arn=instance_arn,
                    permission_set_arn=permission_set.arn,
                    managed_policy_arn=f"{defaults.MANAGED_POLICY_ARN_PREFIX}{policy}",
                ))
            if spec.inline_policy:
                policies.append(aws.ssoadmin_permission_set_inline_policy.SsoadminPermissionSetInlinePolicy(
                    self, f"{set_ids[spec.name]}-inline",
                    instance_arn=instance_arn,
                    permission_set_arn=permission_set.arn,
                    inline_policy=spec.inline_policy,
                ))
            policies_of[spec.name] = policies

        group_ids = unique_ids("group", props.groups, "groups")
        self.group_ids: dict[str, str] = {}
        for name in props.groups:
            if props.groups_external:
                group = aws.data_aws_identitystore_group.DataAwsIdentitystoreGroup(
                    self, group_ids[name],
                    identity_store_id=identity_store_id,
                    alternate_identifier={"unique_attribute": {"attribute_path": defaults.GROUP_LOOKUP_ATTRIBUTE,
                                                               "attribute_value": name}},
                )
            else:
                group = aws.identitystore_group.IdentitystoreGroup(
                    self, group_ids[name],
                    identity_store_id=identity_store_id,
                    display_name=name,
                    description=props.groups[name],
                )
            self.group_ids[name] = group.group_id

        seen: set[str] = set()
        for assignment in props.account_assignments:
            if assignment.group not in self.group_ids:
                raise ValueError(f"account assignment for unknown group {assignment.group!r}")
            if assignment.permission_set not in self.permission_set_arns:
                raise ValueError(f"account assignment of group {assignment.group!r} names unknown permission set "
                                 f"{assignment.permission_set!r}")
            cid = f"assignment-{group_ids[assignment.group].removeprefix('group-')}-{assignment.target}"
            if cid in seen:
                raise ValueError(f"group {assignment.group!r} is assigned to account {assignment.target!r} twice")
            seen.add(cid)
            aws.ssoadmin_account_assignment.SsoadminAccountAssignment(
                self, cid,
                instance_arn=instance_arn,
                permission_set_arn=self.permission_set_arns[assignment.permission_set],
                principal_id=self.group_ids[assignment.group],
                principal_type=defaults.PRINCIPAL_TYPE,
                target_id=assignment.target_id,
                target_type=defaults.TARGET_TYPE,
                depends_on=policies_of[assignment.permission_set] or None,
            )
