"""Network defaults: private, routed-only VPCs; org-only sharing; every flow logged.

Everything here is data. Constructs use these values unless a props field overrides them on purpose.
"""

from __future__ import annotations

# --- Transit Gateway ---------------------------------------------------------------------------
# Spokes in member accounts attach to the shared Transit Gateway. Accepting their attachments in the
# network account would need the attachment ids there, making the network stack depend on every
# spoke (a cycle: spokes read the gateway id from it). The RAM share is limited to the organization
# (no external principals), so only organization accounts can request an attachment at all.
TRANSIT_GATEWAY = {
    "auto_accept_shared_attachments": "enable",
    # Every attachment associates with and propagates to the default route table; isolation between
    # spokes comes from the spokes' VPC route tables, which send only the hub CIDR to the gateway.
    "default_route_table_association": "enable",
    "default_route_table_propagation": "enable",
    "dns_support": "enable",
    "vpn_ecmp_support": "disable",  # no VPN attachments in a VPC-only network
    "multicast_support": "disable",
}

# --- RAM ---------------------------------------------------------------------------------------
ALLOW_EXTERNAL_PRINCIPALS = False

# --- VPC body ----------------------------------------------------------------------------------
# Each VPC is cut in four equal subnets whatever the number of AZs (at most four), so that adding
# an AZ later adds a subnet without re-cutting (and replacing) the existing ones.
SUBNET_SPLIT_BITS = 2
MAX_AVAILABILITY_ZONES = 2 ** SUBNET_SPLIT_BITS
ENABLE_DNS_SUPPORT = True
ENABLE_DNS_HOSTNAMES = True
MAP_PUBLIC_IP_ON_LAUNCH = False
# Subnets are placed by zone id (the same physical zone in every account, unlike zone names), taking
# the lowest ids, so the hub's endpoints and the spokes' attachments share zones. The zones looked up
# are an allowlist of names (<region>a to <region>f: no Local Zone, and a zone AWS adds later with
# another letter cannot appear), not filtered by state: a zone that is impaired for a while must not
# shift the others and make Terraform replace subnets. Pin literal zone ids through props to skip
# the lookup altogether.
AVAILABILITY_ZONE_LETTERS = "abcdef"

TRANSIT_GATEWAY_ATTACHMENT = {
    "dns_support": "enable",
    "ipv6_support": "disable",
    "appliance_mode_support": "disable",  # no inspection appliance in the hub
}

# --- Flow logs ---------------------------------------------------------------------------------
# Shared by VPC and Transit Gateway flow logs (a Transit Gateway accepts only 60 s and no traffic type).
FLOW_LOG = {
    "log_destination_type": "s3",
    "max_aggregation_interval": 60,
    "destination_options": {
        "file_format": "parquet",
        "hive_compatible_partitions": True,
        "per_hour_partition": True,
    },
}
VPC_FLOW_LOG_TRAFFIC_TYPE = "ALL"

# --- Central interface endpoints ---------------------------------------------------------------
HTTPS_PORT = 443
ENDPOINT_SERVICE_NAME = "com.amazonaws.{region}.{service}"
# Services whose endpoint service name does not follow com.amazonaws.<region>.<service>.
ENDPOINT_SERVICE_NAMES = {
    "studio": "aws.sagemaker.{region}.studio",
}
# Private DNS is disabled on the central endpoints (the managed zone would only serve the hub VPC);
# instead one private hosted zone per service carries the names its clients call, each an alias of
# the endpoint. The first name is the zone; the others are records inside it. Services not listed
# use <service>.<region>.amazonaws.com, with dotted names reversed (ecr.api -> api.ecr...).
PRIVATE_DNS_NAMES: dict[str, tuple[str, ...]] = {
    "sagemaker.api": ("api.sagemaker.{region}.amazonaws.com",),
    "sagemaker.runtime": ("runtime.sagemaker.{region}.amazonaws.com",),
    "sagemaker.featurestore-runtime": ("featurestore-runtime.sagemaker.{region}.amazonaws.com",),
    # Studio domains are served from d-xxxx.studio.<region>.sagemaker.aws.
    "studio": ("studio.{region}.sagemaker.aws", "*.studio.{region}.sagemaker.aws"),
    "ecr.api": ("api.ecr.{region}.amazonaws.com",),
    # Registries are <account>.dkr.ecr.<region>.amazonaws.com.
    "ecr.dkr": ("dkr.ecr.{region}.amazonaws.com", "*.dkr.ecr.{region}.amazonaws.com"),
    # Spokes reach S3 through their own gateway endpoint (free, and not reachable across the Transit
    # Gateway); a zone for s3.<region>.amazonaws.com would send their S3 traffic to the hub instead.
    # The central S3 interface endpoint stays reachable through its endpoint-specific names.
    "s3": (),
}

# --- Spoke S3 gateway endpoint policy ----------------------------------------------------------
# Objects in AWS-owned buckets that ML workloads read through the gateway endpoint: ECR image
# layers (prod-<region>-starport-layer-bucket), Amazon Linux package repositories and SageMaker
# JumpStart artifacts.
AWS_OWNED_OBJECT_ARNS = (
    "arn:aws:s3:::prod-{region}-starport-layer-bucket/*",
    "arn:aws:s3:::al2023-repos-{region}-de612dc2/*",
    "arn:aws:s3:::amazonlinux-2-repos-{region}/*",
    "arn:aws:s3:::jumpstart-cache-prod-{region}/*",
)
