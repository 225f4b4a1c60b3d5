"""ECR repositories of the platform's training and inference images."""

from __future__ import annotations

import json
from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props, policy_document, statement
from mlplat.modules.ml_platform import defaults

PULL = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
PUSH = ("ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart")


def repository_arn(region: str, account_id: str, name: str) -> str:
    return f"arn:aws:ecr:{region}:{account_id}:repository/{name}"


class ImageRepositoriesProps(Props):
    name_prefix: str  # '<org>/ml'
    account_id: str
    region: str
    organization_id: str
    puller_org_paths: list[str]  # organization paths of the ML OUs
    key_arn: str
    repositories: list[str] = list(defaults.IMAGE_REPOSITORIES)
    provider: Any = None


class ImageRepositories(Construct):
    """One repository per image kind: immutable tags, scan on push, KMS encryption, untagged images
    expire. The policy lets principals of the organization's ML OUs pull (SageMaker pulls as the job's
    role) and only this account's principals push; the platform-admin persona and CI of this account
    are the ones IAM lets push."""

    def __init__(self, scope: Construct, id: str, props: ImageRepositoriesProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        r = aws.ecr_repository
        self.arns: list[str] = []
        lifecycle = json.dumps({"rules": [{
            "rulePriority": 1, "description": "Untagged images expire",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                          "countNumber": defaults.UNTAGGED_IMAGE_EXPIRY_DAYS},
            "action": {"type": "expire"}}]}, sort_keys=True)
        for kind in props.repositories:
            name = f"{props.name_prefix}/{kind}"
            repo = r.EcrRepository(
                self, kind, name=name, image_tag_mutability=defaults.IMAGE_TAG_MUTABILITY,
                image_scanning_configuration=r.EcrRepositoryImageScanningConfiguration(scan_on_push=True),
                encryption_configuration=[r.EcrRepositoryEncryptionConfiguration(encryption_type="KMS",
                                                                                 kms_key=props.key_arn)],
                **provider)
            aws.ecr_repository_policy.EcrRepositoryPolicy(self, f"{kind}-policy", repository=repo.name, policy=policy_document([
                statement("MlAccountsPull", PULL, "*", principals={"AWS": "*"},
                          conditions={"StringEquals": {"aws:PrincipalOrgID": props.organization_id},
                                      "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": [f"{p}*" for p in props.puller_org_paths]}}),
                statement("PlatformPushes", PUSH + PULL, "*", principals={"AWS": f"arn:aws:iam::{props.account_id}:root"}),
            ]), **provider)
            aws.ecr_lifecycle_policy.EcrLifecyclePolicy(self, f"{kind}-lifecycle", repository=repo.name, policy=lifecycle,
                                                        **provider)
            self.arns.append(repository_arn(props.region, props.account_id, name))
