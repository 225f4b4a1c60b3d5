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
        }
    },
    "ml-bad": {
        "resource": {
            "aws_sagemaker_domain": {
                "public": {**DOMAIN_BASE, "app_network_access_type": "PublicInternetOnly"},
                "defaulted": {**DOMAIN_BASE, "kms_key_id": " "},
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
