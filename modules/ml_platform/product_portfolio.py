"""The Service Catalog portfolio of ML products, shared with the ML OUs."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.ml_platform import defaults


class Product(Props):
    key: str
    name: str
    description: str
    template: str  # the CloudFormation template text
    tags: dict[str, str] = {}


class ProductPortfolioProps(Props):
    name: str
    bucket: str  # the products bucket (name, as its policy holds it)
    region: str
    key_arn: str  # the bucket's key
    products: list[Product]
    share_with_ou_arns: list[str]  # the OUs of the teams' dev accounts
    deploy_template: str  # the template the deployment pipelines deploy, also uploaded as their source
    provider: Any = None


def deterministic_zip(files: dict[str, str]) -> bytes:
    """A zip of text files whose bytes depend on the contents only (fixed times and modes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name])
    return buffer.getvalue()


class ProductPortfolio(Construct):
    """A portfolio, its products and who may launch them.

    Each product template is uploaded (SSE-KMS) and becomes a product whose provisioning artifact is
    named by the template's digest, so a changed template is a new version. Every product has a
    launch constraint naming the local launch role (``defaults.LAUNCH_ROLE_NAME``) that each team
    dev account holds, so a team lead provisions with that role's rights, not their own. The team
    lead persona's Identity Center role is associated by IAM pattern (roles under the
    ``aws-reserved/sso.amazonaws.com`` path, which only Identity Center can create) and the portfolio
    is shared with the ML OUs with principal sharing, through AWS Organizations. The deploy template is
    also uploaded as a zip, the source of the deployment pipelines.
    """

    def __init__(self, scope: Construct, id: str, props: ProductPortfolioProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}
        self.portfolio = aws.servicecatalog_portfolio.ServicecatalogPortfolio(
            self, "portfolio", name=props.name, provider_name=defaults.PORTFOLIO_PROVIDER,
            description="Self-service ML environments and SageMaker project templates for ML teams", **provider)
        portfolio_id = self.portfolio.id
        obj = aws.s3_object
        for product in props.products:
            digest = hashlib.sha256(product.template.encode()).hexdigest()[:12]
            key = f"{defaults.TEMPLATES_PREFIX}{product.key}/{digest}.yaml"
            template = obj.S3Object(self, f"{product.key}-template", bucket=props.bucket, key=key, content=product.template,
                                    content_type="application/x-yaml", server_side_encryption="aws:kms",
                                    kms_key_id=props.key_arn, **provider)
            p = aws.servicecatalog_product
            item = p.ServicecatalogProduct(
                self, product.key, name=product.name, description=product.description, owner=defaults.PORTFOLIO_PROVIDER,
                type=defaults.PRODUCT_TYPE,
                provisioning_artifact_parameters=p.ServicecatalogProductProvisioningArtifactParameters(
                    name=f"v-{digest}", description=f"template {digest}", type=defaults.PROVISIONING_ARTIFACT_TYPE,
                    template_url=f"https://{props.bucket}.s3.{props.region}.amazonaws.com/{key}"),
                tags=dict(product.tags) or None, depends_on=[template], **provider)
            association = aws.servicecatalog_product_portfolio_association.ServicecatalogProductPortfolioAssociation(
                self, f"{product.key}-in-portfolio", portfolio_id=portfolio_id, product_id=item.id, **provider)
            aws.servicecatalog_constraint.ServicecatalogConstraint(
                self, f"{product.key}-launch", portfolio_id=portfolio_id, product_id=item.id, type="LAUNCH",
                description="Provisioned with the team account's launch role",
                parameters=json.dumps({"LocalRoleName": defaults.LAUNCH_ROLE_NAME}), depends_on=[association],
                **provider)
        launchers = {f"launcher-{p}": defaults.SSO_ROLE_PATTERN.format(persona=p) for p in defaults.LAUNCHING_PERSONAS}
        launchers |= {f"launcher-{arn.rsplit('/', 1)[1]}": arn for arn in defaults.STUDIO_LAUNCHERS}
        for construct_id, principal in sorted(launchers.items()):
            aws.servicecatalog_principal_portfolio_association.ServicecatalogPrincipalPortfolioAssociation(
                self, construct_id, portfolio_id=portfolio_id, principal_type="IAM_PATTERN", principal_arn=principal,
                **provider)
        for i, ou_arn in enumerate(props.share_with_ou_arns):
            aws.servicecatalog_portfolio_share.ServicecatalogPortfolioShare(
                self, f"share-{i}", portfolio_id=portfolio_id, principal_id=ou_arn, type="ORGANIZATIONAL_UNIT",
                share_principals=True, share_tag_options=False, **provider)
        self.deploy_source = obj.S3Object(
            self, "deploy-source", bucket=props.bucket, key=defaults.DEPLOY_SOURCE_KEY,
            content_base64=base64.b64encode(deterministic_zip({defaults.DEPLOY_TEMPLATE_FILE: props.deploy_template})).decode(),
            content_type="application/zip", server_side_encryption="aws:kms", kms_key_id=props.key_arn, **provider)
