"""One checkov run over a batch of small stacks, shared by the scan tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlplat.scan import ScanReport, Waiver, scan

SCP_LIMIT = 5120


def scp_content(length: int) -> str:
    """A literal SCP document of exactly ``length`` characters."""
    head = '{"Version":"2012-10-17","Statement":[{"Sid":"'
    tail = '","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}'
    return head + "x" * (length - len(head) - len(tail)) + tail


DOMAIN_BASE = {
    "domain_name": "studio",
    "auth_mode": "IAM",
    "vpc_id": "vpc-0123",
    "subnet_ids": ["subnet-0123"],
    "default_user_settings": {"execution_role": "arn:aws:iam::111122223333:role/studio"},
}
KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ORG_ID = "o-a1b2c3d4e5"
ACCOUNT = "arn:aws:iam::111122223333:root"
LOCKED_USER_SETTINGS = {
    "execution_role": "arn:aws:iam::111122223333:role/studio",
    "security_groups": ["sg-0123"],
    "sharing_settings": {"notebook_output_option": "Disabled"},
}
MODEL_BASE = {
    "execution_role_arn": "arn:aws:iam::111122223333:role/model",
    "primary_container": {"image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/inference:1"},
}
MODEL_VPC = {"subnets": ["subnet-0123", "subnet-4567"], "security_group_ids": ["sg-0123"]}


def policy(*statements: dict[str, Any]) -> str:
    """A literal resource policy, as cdktn writes one: a JSON string."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, principal: Any, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": "*"}
    return {**statement, "Condition": condition} if condition else statement


def closed_policies(action: str) -> dict[str, str]:
    """Policies that grant ``action`` only within the organization, one per way of saying so."""
    in_org = {"StringEquals": {"aws:PrincipalOrgID": ORG_ID}}
    in_ou = {"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{ORG_ID}/r-ab12/ou-ab12-11111111/*"]}}
    # cdktn writes tokens into literal JSON: here the organization id is only known at apply time.
    in_org_from_state = {"StringEquals": {"aws:PrincipalOrgID": "${data.terraform_remote_state.org.outputs.id}"}}
    # `$${` is an escaped IAM policy variable: literal text, not a Terraform expression.
    own_users = {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/$${aws:username}"}}
    outside_org = {"StringNotEquals": {"aws:PrincipalOrgID": ORG_ID}}
    return {
        "accounts": policy(
            allow(action, {"AWS": [ACCOUNT, "444455556666"]}),
            {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": "*", "Condition": outside_org},
        ),
        "organization": policy(allow(action, {"AWS": "*"}, in_org)),
        "org_paths": policy(allow(action, "*", in_ou)),
        "org_from_remote_state": policy(allow(action, "*", in_org_from_state)),
        "policy_variable": policy(allow(action, {"AWS": ACCOUNT}, own_users)),
    }


def open_policies(action: str) -> dict[str, str]:
    """Policies that grant ``action`` beyond the organization, one per way of writing the hole."""
    any_account_role = {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ml-*"}}
    in_org_if_present = {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG_ID}}
    return {
        "public": policy(allow(action, "*")),
        "any_aws": policy(allow(action, {"AWS": "*"})),
        "list_with_star": policy(allow(action, {"AWS": [ACCOUNT, "*"]})),
        "other_key": policy(allow(action, {"AWS": "*"}, any_account_role)),
        "org_if_exists": policy(allow(action, "*", in_org_if_present)),
    }


def unknown_policies(action: str, document: str) -> dict[str, str]:
    """Policies whose openness is only known at apply time."""
    return {
        "from_document": f"${{data.aws_iam_policy_document.{document}.json}}",
        "principal_from_variable": policy(allow(action, {"AWS": "${var.reader_arn}"})),
    }


def registry_policies(policies: dict[str, str]) -> dict[str, Any]:
    return {name: {"model_package_group_name": "models", "resource_policy": doc} for name, doc in policies.items()}


def bus_policies(policies: dict[str, str]) -> dict[str, Any]:
    return {name: {"event_bus_name": "ml-events", "policy": doc} for name, doc in policies.items()}


def repository_policies(policies: dict[str, str]) -> dict[str, Any]:
    return {name: {"repository": "inference", "policy": doc} for name, doc in policies.items()}


def sink_policies(policies: dict[str, str]) -> dict[str, Any]:
    return {name: {"sink_identifier": "arn:aws:oam:eu-west-1:111122223333:sink/abc", "policy": doc}
            for name, doc in policies.items()}


REGISTRY_READ = "sagemaker:DescribeModelPackage"
PUT_EVENTS = "events:PutEvents"
PULL_IMAGE = "ecr:BatchGetImage"
CREATE_LINK = "oam:CreateLink"

STACKS: dict[str, dict[str, Any]] = {
    "ml-good": {
        "resource": {
            "aws_sagemaker_domain": {
                "studio": {**DOMAIN_BASE, "app_network_access_type": "VpcOnly", "kms_key_id": KEY},
                "from_variable": {
                    **DOMAIN_BASE,
                    "app_network_access_type": "${var.access_type}",
                    "kms_key_id": "${aws_kms_key.studio.arn}",
                },
                "locked_down": {
                    **DOMAIN_BASE,
                    "app_network_access_type": "VpcOnly",
                    "kms_key_id": KEY,
                    "default_user_settings": LOCKED_USER_SETTINGS,
                },
                # Without sharing_settings, notebook output is not shared (AWS's default is Disabled).
                "unshared_by_default": {
                    **DOMAIN_BASE,
                    "app_network_access_type": "VpcOnly",
                    "kms_key_id": KEY,
                    "default_user_settings": {k: v for k, v in LOCKED_USER_SETTINGS.items() if k != "sharing_settings"},
                },
                "sharing_from_variable": {
                    **DOMAIN_BASE,
                    "app_network_access_type": "VpcOnly",
                    "kms_key_id": KEY,
                    "default_user_settings": {
                        **LOCKED_USER_SETTINGS,
                        "sharing_settings": {"notebook_output_option": "${var.notebook_output}"},
                    },
                },
            },
            "aws_sagemaker_notebook_instance": {
                "locked": {
                    "name": "locked",
                    "role_arn": "arn:aws:iam::111122223333:role/nb",
                    "instance_type": "ml.t3.medium",
                    "direct_internet_access": "Disabled",
                    "root_access": "Disabled",
                }
            },
            "aws_sagemaker_endpoint_configuration": {
                "encrypted": {
                    "production_variants": [{"variant_name": "v", "model_name": "m", "instance_type": "ml.m5.large"}],
                    "kms_key_arn": KEY,
                }
            },
            "aws_organizations_policy": {
                "at_limit": {"name": "at-limit", "content": scp_content(SCP_LIMIT)},
                "from_expression": {"name": "expr", "content": "${jsonencode(local.huge_policy)}"},
                "tag_policy": {"name": "tags", "type": "TAG_POLICY", "content": scp_content(6000)},
            },
            "aws_sagemaker_model": {
                "isolated": {
                    **MODEL_BASE,
                    "name": "isolated",
                    "enable_network_isolation": True,
                    "vpc_config": MODEL_VPC,
                },
                "from_variable": {
                    **MODEL_BASE,
                    "name": "from-variable",
                    "enable_network_isolation": "${var.isolate_model}",
                    "vpc_config": {**MODEL_VPC, "subnets": "${var.model_subnets}"},
                },
            },
            "aws_sagemaker_model_package_group_policy": registry_policies(
                closed_policies(REGISTRY_READ) | unknown_policies(REGISTRY_READ, "registry")
            ),
            "aws_cloudwatch_event_bus_policy": bus_policies(
                closed_policies(PUT_EVENTS) | unknown_policies(PUT_EVENTS, "bus")
            ),
            "aws_cloudwatch_event_permission": {
                "account": {"principal": "444455556666", "statement_id": "account"},
                "organization": {
                    "principal": "*",
                    "statement_id": "organization",
                    "condition": {"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": ORG_ID},
                },
                "from_variable": {"principal": "${var.event_sender}", "statement_id": "from-variable"},
            },
            "aws_ecr_repository_policy": repository_policies(
                closed_policies(PULL_IMAGE) | unknown_policies(PULL_IMAGE, "repository")
            ),
            "aws_oam_sink_policy": sink_policies(
                closed_policies(CREATE_LINK) | unknown_policies(CREATE_LINK, "sink")
            ),
        }
    },
    "ml-bad": {
        "resource": {
            "aws_sagemaker_domain": {
                "public": {**DOMAIN_BASE, "app_network_access_type": "PublicInternetOnly"},
                "defaulted": {**DOMAIN_BASE, "kms_key_id": " "},
                "sharing_output": {
                    **DOMAIN_BASE,
                    "app_network_access_type": "VpcOnly",
                    "kms_key_id": KEY,
                    "default_user_settings": {
                        **LOCKED_USER_SETTINGS,
                        "sharing_settings": {
                            "notebook_output_option": "Allowed",
                            "s3_output_path": "s3://studio-shared/notebooks",
                        },
                    },
                },
                "no_security_groups": {
                    **DOMAIN_BASE,
                    "app_network_access_type": "VpcOnly",
                    "kms_key_id": KEY,
                    "default_user_settings": {k: v for k, v in LOCKED_USER_SETTINGS.items() if k != "security_groups"},
                },
            },
            "aws_sagemaker_notebook_instance": {
                "open": {
                    "name": "open",
                    "role_arn": "arn:aws:iam::111122223333:role/nb",
                    "instance_type": "ml.t3.medium",
                    "direct_internet_access": "Enabled",
                    "root_access": "Disabled",
                },
                "rooted": {
                    "name": "rooted",
                    "role_arn": "arn:aws:iam::111122223333:role/nb",
                    "instance_type": "ml.t3.medium",
                    "direct_internet_access": "Disabled",
                },
                # Same name as an endpoint configuration below: addresses must not be mixed up.
                "shared": {
                    "name": "shared",
                    "role_arn": "arn:aws:iam::111122223333:role/nb",
                    "instance_type": "ml.t3.medium",
                },
            },
            "aws_sagemaker_endpoint_configuration": {
                "plain": {
                    "production_variants": [{"variant_name": "v", "model_name": "m", "instance_type": "ml.m5.large"}]
                },
                "shared": {
                    "production_variants": [{"variant_name": "v", "model_name": "m", "instance_type": "ml.m5.large"}],
                    "kms_key_arn": KEY,
                },
            },
            "aws_organizations_policy": {
                "too_big": {"name": "too-big", "content": scp_content(SCP_LIMIT + 1)},
            },
            "aws_sagemaker_model": {
                "open": {**MODEL_BASE, "name": "open"},
                "not_isolated": {
                    **MODEL_BASE,
                    "name": "not-isolated",
                    "enable_network_isolation": False,
                    "vpc_config": MODEL_VPC,
                },
                "no_security_groups": {
                    **MODEL_BASE,
                    "name": "no-security-groups",
                    "enable_network_isolation": True,
                    "vpc_config": {**MODEL_VPC, "security_group_ids": []},
                },
            },
            "aws_sagemaker_model_package_group_policy": registry_policies(open_policies(REGISTRY_READ)),
            "aws_cloudwatch_event_bus_policy": bus_policies(open_policies(PUT_EVENTS)),
            "aws_cloudwatch_event_permission": {"public": {"principal": "*", "statement_id": "public"}},
            "aws_ecr_repository_policy": repository_policies(open_policies(PULL_IMAGE)),
            "aws_oam_sink_policy": sink_policies(open_policies(CREATE_LINK)),
        }
    },
}

BATCH_WAIVERS = [
    Waiver(
        check_id="CKV_MLP_001",
        stack="ml-*",
        resource="aws_sagemaker_domain.default*",
        reason="Test fixture: this domain hosts a public demo with no workload data.",
    ),
    Waiver(
        check_id="CKV_MLP_005",
        resource="aws_sagemaker_endpoint_configuration.nothing_*",
        reason="Matches nothing, so the scan reports it as unused.",
    ),
]


def write_stacks(out: Path, stacks: dict[str, Any]) -> Path:
    for name, document in stacks.items():
        directory = out / "stacks" / name
        directory.mkdir(parents=True, exist_ok=True)
        text = document if isinstance(document, str) else json.dumps(document, indent=2)
        (directory / "cdk.tf.json").write_text(text)
    return out


@pytest.fixture(scope="session")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = write_stacks(tmp_path_factory.mktemp("scan") / "out", STACKS)
    write_stacks(out, {"broken": '{"resource": {'})
    # Left behind by `terraform init`; must not be scanned.
    module = out / "stacks" / "ml-good" / ".terraform" / "modules" / "m"
    module.mkdir(parents=True)
    (module / "main.tf.json").write_text(json.dumps(STACKS["ml-bad"]))
    return out


@pytest.fixture(scope="session")
def batch_report(batch_out: Path) -> ScanReport:
    return scan(batch_out, BATCH_WAIVERS)
