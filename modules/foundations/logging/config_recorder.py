"""AWS Config recording in one account and region, delivered to the log archive."""

from __future__ import annotations

from typing import Any

from mlplat.engine import Construct, aws
from mlplat.modules.base import Props
from mlplat.modules.foundations.logging import defaults


class ConfigRecorderProps(Props):
    recorder_name: str
    s3_bucket_name: str  # the log archive bucket
    s3_kms_key_arn: str  # the log archive key (same region as the bucket)
    include_global_resource_types: bool  # true in one region only (the home region), or IAM is recorded twice
    role_arn: str | None = None  # the Config service-linked role; None creates it (once per account)
    snapshot_delivery_frequency: str = defaults.CONFIG_SNAPSHOT_DELIVERY_FREQUENCY
    provider: Any = None


class ConfigRecorder(Construct):
    """An AWS Config configuration recorder, its delivery channel and its status (recording on).

    Records every supported resource type (global ones such as IAM only where
    ``include_global_resource_types`` is set) with the Config service-linked role, which this
    construct creates when no ``role_arn`` is given. Configuration history and daily snapshots go to
    the central log archive bucket, encrypted with the log archive key.
    """

    def __init__(self, scope: Construct, id: str, props: ConfigRecorderProps) -> None:
        super().__init__(scope, id)
        provider = {"provider": props.provider} if props.provider is not None else {}

        if props.role_arn is None:
            role = aws.iam_service_linked_role.IamServiceLinkedRole(
                self, "service-linked-role", aws_service_name=defaults.CONFIG_SERVICE_LINKED_ROLE_SERVICE, **provider)
            self.role_arn = role.arn
        else:
            self.role_arn = props.role_arn

        recorder = aws.config_configuration_recorder.ConfigConfigurationRecorder(
            self, "recorder",
            name=props.recorder_name,
            role_arn=self.role_arn,
            recording_group=aws.config_configuration_recorder.ConfigConfigurationRecorderRecordingGroup(
                all_supported=True,
                include_global_resource_types=props.include_global_resource_types,
            ),
            **provider,
        )
        channel = aws.config_delivery_channel.ConfigDeliveryChannel(
            self, "delivery-channel",
            name=props.recorder_name,
            s3_bucket_name=props.s3_bucket_name,
            s3_kms_key_arn=props.s3_kms_key_arn,
            snapshot_delivery_properties=aws.config_delivery_channel.ConfigDeliveryChannelSnapshotDeliveryProperties(
                delivery_frequency=props.snapshot_delivery_frequency),
            depends_on=[recorder],
            **provider,
        )
        # recording on: what AWS Config's organization rules need in this account and region
        self.status = aws.config_configuration_recorder_status.ConfigConfigurationRecorderStatus(
            self, "status",
            name=recorder.name,  # a reference, not the literal: checkov links the status to its recorder by it
            is_enabled=True,
            depends_on=[channel],
            **provider,
        )
