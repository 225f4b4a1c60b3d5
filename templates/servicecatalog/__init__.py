"""Service Catalog products of the ML platform account: CloudFormation templates ML teams provision.

Each product is one template file in this folder. Terraform uploads the files as S3 objects and
creates the products of the platform portfolio; team leads provision them in their team's dev
account through the portfolio's launch role, and the SageMaker project templates also show in
Studio (their product carries the tag ``sagemaker:studio-visibility`` = ``true``). The central
deployment pipeline deploys ``project-model-deploy`` into the team's test and prod accounts.

Every template reads the team's environment from the SSM parameters the platform writes in each
team account (:data:`SSM_PARAMETERS`), as defaults of ``AWS::SSM::Parameter::Value<...>``
parameters, so nobody provisions with ids typed by hand.

This module only reads files: it imports neither checkov nor a CDK engine.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

PACKAGE = __name__

# name -> what the platform stores there, in every team account.
SSM_PARAMETERS: dict[str, str] = {
    "/mlplat/network/vpc-id": "id of the team's VPC",
    "/mlplat/network/private-subnet-ids": "ids of the team VPC's private subnets (StringList)",
    "/mlplat/studio/security-group-id": "id of the security group of the team's Studio apps and jobs",
    "/mlplat/studio/domain-id": "id of the team's SageMaker Studio domain",
    "/mlplat/team/kms-key-arn": "ARN of the team's KMS key",
    "/mlplat/team/bucket-name": "name of the team's artifact bucket",
    "/mlplat/team/name": "name of the team",
    "/mlplat/roles/data-scientist-execution-role-arn": "ARN of the Studio execution role of data scientists",
    "/mlplat/roles/ml-team-lead-execution-role-arn": "ARN of the Studio execution role of ML team leads",
    "/mlplat/roles/ml-engineer-execution-role-arn": "ARN of the Studio and pipeline execution role of ML engineers",
    "/mlplat/roles/model-execution-role-arn": "ARN of the role the models of endpoints run as",
}

STUDIO_VISIBILITY_TAG = ("sagemaker:studio-visibility", "true")


@dataclass(frozen=True)
class ServiceCatalogProduct:
    """One product of the platform portfolio and the template file it is made of."""

    key: str
    file_name: str
    name: str
    description: str
    sagemaker_project_template: bool = False

    @property
    def tags(self) -> dict[str, str]:
        """The product's tags: SageMaker project templates must carry the Studio visibility tag."""
        return dict([STUDIO_VISIBILITY_TAG]) if self.sagemaker_project_template else {}


PRODUCTS: tuple[ServiceCatalogProduct, ...] = (
    ServiceCatalogProduct(
        key="studio-domain",
        file_name="studio-domain.yaml",
        name="ML team Studio domain",
        description=(
            "An additional SageMaker Studio domain for the team: IAM authentication, VPC only, "
            "encrypted with the team key, no notebook sharing, idle apps shut down, no Docker."
        ),
    ),
    ServiceCatalogProduct(
        key="studio-user-profile",
        file_name="studio-user-profile.yaml",
        name="ML team Studio user profile",
        description=(
            "A Studio user profile for one IAM Identity Center user in the team's domain, with the "
            "execution role of the user's persona; only that user's session can open it."
        ),
    ),
    ServiceCatalogProduct(
        key="project-model-build",
        file_name="project-model-build.yaml",
        name="ML model build project",
        description=(
            "SageMaker project: the team's model package group and a pipeline that preprocesses, "
            "trains, evaluates and registers a model for manual approval, all jobs in the team VPC."
        ),
        sagemaker_project_template=True,
    ),
    ServiceCatalogProduct(
        key="project-model-deploy",
        file_name="project-model-deploy.yaml",
        name="ML model deploy project",
        description=(
            "SageMaker project: a real-time endpoint of an approved model package in the team VPC, "
            "network isolated, encrypted, with data capture, auto scaling and alarms."
        ),
        sagemaker_project_template=True,
    ),
)


def product(key: str) -> ServiceCatalogProduct:
    """The product with ``key``; raises KeyError naming the known keys."""
    for item in PRODUCTS:
        if item.key == key:
            return item
    raise KeyError(f"no Service Catalog product {key!r}; known: {', '.join(p.key for p in PRODUCTS)}")


def template_text(key: str) -> str:
    """The CloudFormation template (YAML) of the product ``key``."""
    return (resources.files(PACKAGE) / product(key).file_name).read_text(encoding="utf-8")


def parameter_allowed_values(key: str, parameter: str) -> tuple[str, ...]:
    """The AllowedValues of one parameter of a product's template (intrinsic-function tags are ignored)."""
    import yaml

    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    document = yaml.load(template_text(key), Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    return tuple(str(v) for v in document["Parameters"][parameter].get("AllowedValues", ()))


@functools.cache
def endpoint_instance_types() -> tuple[str, ...]:
    """The instance types the deploy template (and so the deployment pipelines) can host an endpoint on."""
    return parameter_allowed_values("project-model-deploy", "InstanceType")
