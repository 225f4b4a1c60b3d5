"""Constrained value types shared by the spec models, each defined once with the limits AWS applies."""

from __future__ import annotations

import datetime
import ipaddress
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
ACCOUNT_ID_RE = re.compile(r"^\d{12}$")
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$")
OU_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.+-]*$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
TAG_RE = re.compile(r"^[\w .:/=+\-@]*$", re.UNICODE)
DURATION_RE = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?$")
POLICY_NAME_RE = re.compile(r"^[\w+=,.@/-]{1,128}$")
INSTANCE_TYPE_RE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")
# Identity Center user names; also the value of the studiouserid tag a Studio profile carries.
USER_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$")

# check ids of checkov (CKV_AWS_18, CKV2_AWS_6) and of mlplat's ML policy pack (CKV_MLP_001)
CHECK_ID_RE = re.compile(r"^CKV2?_[A-Z]+_[0-9]+$")

# AWS limits
ACCOUNT_NAME_MAX = 50
EMAIL_MAX = 64
OU_NAME_MAX = 128
OU_DEPTH_MAX = 5


def _name(value: str) -> str:
    if not NAME_RE.match(value) or "--" in value:
        raise ValueError(
            f"{value!r} is not a valid name: use lowercase letters, digits and single hyphens, "
            "starting with a letter and not ending with a hyphen"
        )
    return value


def _account_id(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            "an account id must be a quoted string of 12 digits (unquoted, YAML reads it as a number "
            "and leading zeros are lost)"
        )
    if isinstance(value, str) and not ACCOUNT_ID_RE.match(value):
        raise ValueError(f"{value!r} is not an account id: 12 digits, quoted")
    return value


def _region(value: str) -> str:
    if not REGION_RE.match(value):
        raise ValueError(f"{value!r} is not an AWS region name (like eu-west-1)")
    return value


def _ou_path(value: str) -> str:
    segments = value.split("/")
    if len(segments) > OU_DEPTH_MAX:
        raise ValueError(f"{value!r} is nested {len(segments)} deep; AWS allows {OU_DEPTH_MAX} levels of OUs")
    for segment in segments:
        if not segment or len(segment) > OU_NAME_MAX or not OU_SEGMENT_RE.match(segment):
            raise ValueError(
                f"{value!r} is not an OU path: names separated by '/', each 1 to {OU_NAME_MAX} letters, "
                "digits, spaces or _.+- and starting with a letter or digit"
            )
    return value


def _email(value: str) -> str:
    if len(value) > EMAIL_MAX or not EMAIL_RE.match(value):
        raise ValueError(f"{value!r} is not an email address AWS accepts (at most {EMAIL_MAX} characters)")
    return value


def _cidr(value: Any) -> str:
    try:
        network = ipaddress.IPv4Network(str(value), strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc})") from None
    return str(network)


def _tag_key(value: str) -> str:
    if not 1 <= len(value) <= 128 or not TAG_RE.match(value) or value.lower().startswith("aws:"):
        raise ValueError(f"{value!r} is not a tag key AWS accepts (1 to 128 characters, no 'aws:' prefix)")
    return value


def _tag_value(value: Any) -> str:
    value = str(value)
    if len(value) > 256 or not TAG_RE.match(value):
        raise ValueError(f"{value!r} is not a tag value AWS accepts (at most 256 letters, digits, spaces, _.:/=+-@)")
    return value


def _duration(value: str) -> str:
    match = DURATION_RE.match(value)
    if not match or value == "PT":
        raise ValueError(f"{value!r} is not an ISO 8601 duration like PT4H or PT90M")
    minutes = int(match.group(1) or 0) * 60 + int(match.group(2) or 0)
    if not 60 <= minutes <= 720:
        raise ValueError(f"{value!r} is outside what IAM Identity Center allows: PT1H to PT12H")
    return value


def _policy_name(value: str) -> str:
    if not POLICY_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not an IAM policy name")
    return value


def _instance_type(value: str) -> str:
    if not INSTANCE_TYPE_RE.match(value):
        raise ValueError(f"{value!r} is not a SageMaker instance type like ml.m5.xlarge")
    return value


def _user_name(value: str) -> str:
    if not USER_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not an IAM Identity Center user name (letters, digits and +=,.@_- , up to 128)")
    return value


Name = Annotated[str, Field(min_length=2, max_length=32), AfterValidator(_name)]

ZONE_NAME_RE = re.compile(r"^[a-z][a-z0-9]{0,15}$")


def _zone_name(value: str) -> str:
    if not ZONE_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not a zone name: lowercase letters and digits, starting with a letter, up to 16")
    return value


# a lake zone: part of a bucket name and of a Glue database name (<domain>_<zone>)
ZoneName = Annotated[str, AfterValidator(_zone_name)]

TAG_VALUE_RE = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")


def _tag_value(value: str) -> str:
    if not TAG_VALUE_RE.match(value):
        raise ValueError(f"{value!r} is not a tag value: lowercase letters, digits, '_' and '-', starting with a letter, up to 50")
    return value


FEATURE_GROUP_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,63}$")
FEATURE_NAME_RE = re.compile(r"^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$")
RESERVED_FEATURE_NAMES = ("is_deleted", "write_time", "api_invocation_time")


def _feature_group_name(value: str) -> str:
    if not FEATURE_GROUP_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not a feature group name: letters, digits and hyphens, up to 64")
    return value


def _feature_name(value: str) -> str:
    if not FEATURE_NAME_RE.match(value):
        raise ValueError(f"{value!r} is not a feature name: letters, digits, '-' and '_', up to 64")
    if value.lower() in RESERVED_FEATURE_NAMES:
        raise ValueError(f"{value!r} is reserved by SageMaker Feature Store ({', '.join(RESERVED_FEATURE_NAMES)})")
    return value


FeatureGroupName = Annotated[str, AfterValidator(_feature_group_name)]
FeatureName = Annotated[str, AfterValidator(_feature_name)]

# a value of an LF-tag the spec declares (classification)
TagValue = Annotated[str, AfterValidator(_tag_value)]
InstanceType = Annotated[str, AfterValidator(_instance_type)]
UserName = Annotated[str, AfterValidator(_user_name)]
AccountId = Annotated[str, BeforeValidator(_account_id)]
Region = Annotated[str, AfterValidator(_region)]
OuPath = Annotated[str, AfterValidator(_ou_path)]
Email = Annotated[str, AfterValidator(_email)]
Cidr = Annotated[str, BeforeValidator(_cidr)]
TagKey = Annotated[str, AfterValidator(_tag_key)]
TagValue = Annotated[str, BeforeValidator(_tag_value)]
SessionDuration = Annotated[str, AfterValidator(_duration)]
PolicyName = Annotated[str, AfterValidator(_policy_name)]
Tags = dict[TagKey, TagValue]


def _check_id(value: str) -> str:
    if not CHECK_ID_RE.match(value):
        raise ValueError(f"{value!r} is not a check id: use checkov's form, e.g. CKV_AWS_18, CKV2_AWS_6 or CKV_MLP_001")
    return value


def _justification(value: str) -> str:
    value = " ".join(value.split())
    if len(value) < 10:
        raise ValueError("say why the failure is acceptable (at least 10 characters); an auditor reads it")
    return value


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use YYYY-MM-DD") from None


CheckId = Annotated[str, AfterValidator(_check_id)]
IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
Justification = Annotated[str, AfterValidator(_justification)]
