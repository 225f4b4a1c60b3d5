"""Secure defaults of logging and observability (module 7), kept as data in one place."""

from mlplat.modules.ml_operations import defaults as operations

PARTITION = "aws"

# --- CloudWatch cross-account observability (OAM) -------------------------------------------------
# What a source account shares with its observability account: metrics, logs and traces, nothing else.
RESOURCE_TYPES = ("AWS::CloudWatch::Metric", "AWS::Logs::LogGroup", "AWS::XRay::Trace")
LINK_ACTIONS = ("oam:CreateLink", "oam:UpdateLink")
# Each source account shows under its account name in the observability account.
LINK_LABEL_TEMPLATE = "$AccountName"
# Only ML telemetry leaves a source account: SageMaker's metric namespaces (jobs, endpoints, pipelines,
# Model Monitor) and those of the CI/CD around it; SageMaker's log groups and those of CodeBuild and
# EventBridge (promotions, deployments, the approvals' audit log). OAM filters take prefix LIKEs only.
LINK_METRIC_FILTER = ("Namespace LIKE 'AWS/SageMaker%' OR Namespace LIKE '/aws/sagemaker/%' "
                      "OR Namespace LIKE 'aws/sagemaker/%' OR Namespace IN ('AWS/CodeBuild', 'AWS/Events')")
LINK_LOG_GROUP_FILTER = ("LogGroupName LIKE '/aws/sagemaker/%' OR LogGroupName LIKE '/aws/codebuild/%' "
                         "OR LogGroupName LIKE '/aws/events/%'")

# --- SageMaker log groups of the team accounts ----------------------------------------------------
# Created ahead with the account's logs key and the organization's retention, before SageMaker would
# create them unencrypted and kept forever. Jobs log to one group per job type; Studio apps (dev) to
# one group; each endpoint to a group of its own, named after it.
SAGEMAKER_LOG_GROUP_PREFIX = "/aws/sagemaker/"
JOB_LOG_GROUPS = ("/aws/sagemaker/TrainingJobs", "/aws/sagemaker/ProcessingJobs", "/aws/sagemaker/TransformJobs")
STUDIO_LOG_GROUP = "/aws/sagemaker/studio"
ENDPOINT_LOG_GROUP = "/aws/sagemaker/Endpoints/{endpoint}"
# The retentions CloudWatch Logs accepts; 0 keeps events forever.
LOG_RETENTION_VALUES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                        2922, 3288, 3653)
LOG_RETENTION_FOREVER = 0
LOGS_KEY_ACTIONS = ("kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*")


def log_retention(days: int) -> int:
    """The shortest retention CloudWatch Logs accepts that keeps events at least ``days`` (forever past ten years)."""
    return next((value for value in LOG_RETENTION_VALUES if value >= days), LOG_RETENTION_FOREVER)


# --- Dashboards and alarms in the observability accounts ------------------------------------------
DASHBOARD_PERIOD_SECONDS = 300
DASHBOARD_WIDGET_WIDTH = 8  # three widgets a row (the grid is 24 wide)
DASHBOARD_WIDGET_HEIGHT = 6
ENDPOINT_NAMESPACE = "AWS/SageMaker"  # invocation metrics, by EndpointName and VariantName
ENDPOINT_INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"  # instance utilization, same dimensions
ENDPOINT_TRAFFIC_METRICS = ("Invocations", "Invocation4XXErrors", "Invocation5XXErrors")
ENDPOINT_LATENCY_METRIC = "ModelLatency"  # microseconds
ENDPOINT_LATENCY_STATISTICS = ("p50", "p90", "p99")
ENDPOINT_INSTANCE_METRICS = ("CPUUtilization", "MemoryUtilization", "GPUUtilization", "GPUMemoryUtilization",
                             "DiskUtilization")
# Jobs publish instance metrics per host ('<job name>/algo-1'): the dashboard searches them per account.
JOB_NAMESPACES = {"Training jobs": "/aws/sagemaker/TrainingJobs", "Processing jobs": "/aws/sagemaker/ProcessingJobs"}
JOB_METRIC_GROUPS = {"CPU and memory": ("CPUUtilization", "MemoryUtilization"),
                     "GPU": ("GPUUtilization", "GPUMemoryUtilization")}
# The observability account evaluates the same alarms as the team account (one source of thresholds),
# so that central operations are alerted whatever the team does with its own topic.
VARIANT_NAME = operations.VARIANT_NAME
ERROR_ALARM_THRESHOLD = operations.ERROR_ALARM_THRESHOLD
LATENCY_ALARM_THRESHOLD_MICROSECONDS = operations.LATENCY_ALARM_THRESHOLD_MICROSECONDS
ALARM_PERIOD_SECONDS = operations.ALARM_PERIOD_SECONDS
ALARM_EVALUATION_PERIODS = operations.ALARM_EVALUATION_PERIODS
ALERTS_TOPIC = "{team}-ml-alerts"
CLOUDWATCH_PRINCIPAL = "cloudwatch.amazonaws.com"

# --- Querying the organization trail (log archive account) ----------------------------------------
# Athena engine version 3; results encrypted with the queries' key, in a bucket of the account; one
# query may scan at most 100 GB (a day of a large organization's trail is a few GB).
RESULTS_PREFIX = "results/"
RESULTS_EXPIRATION_DAYS = 90
BYTES_SCANNED_CUTOFF_PER_QUERY = 100 * 1024 ** 3
TRAIL_TABLE = "organization_trail"
# Global services (IAM, STS's global endpoint, Organizations) deliver their events in us-east-1.
GLOBAL_EVENTS_REGION = "us-east-1"
# CloudTrail's table as Athena documents it; requestParameters and friends stay JSON strings.
TRAIL_SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
TRAIL_INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
TRAIL_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
TRAIL_COLUMNS = (
    ("eventversion", "string"),
    ("useridentity", "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,"
                     "accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,"
                     "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,"
                     "sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,"
                     "ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,"
                     "attributes:map<string,string>>>>"),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("readonly", "string"),
    ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("vpcendpointaccountid", "string"),
    ("eventcategory", "string"),
    ("addendum", "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"),
    ("sessioncredentialfromconsole", "string"),
    ("edgedevicedetails", "string"),
    ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"),
)
# Partitions are projected from the trail's layout, AWSLogs/<organization id>/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/,
# so no crawler or ALTER TABLE keeps them up to date. Queries name a range of 'day' to scan only those days.
TRAIL_PARTITIONS = ("account", "region", "day")
TRAIL_DAY_FORMAT = "yyyy/MM/dd"

# Saved queries an auditor starts from: name -> (description, SQL). {database} and {table} name the
# trail's table; {days} is how far back they look (partition pruning keeps the scan to those days).
QUERY_LOOKBACK_DAYS = 30
_RECENT = "day >= date_format(current_date - interval '{days}' day, '%Y/%m/%d')"
NAMED_QUERIES: dict[str, tuple[str, str]] = {
    "model-approvals": (
        "Who approved which model package, in the teams' local registries and the central one",
        f"""SELECT from_iso8601_timestamp(eventtime) AS event_time,
       recipientaccountid AS account_id,
       awsregion AS region,
       useridentity.arn AS approver,
       coalesce(json_extract_scalar(requestparameters, '$.modelPackageArn'),
                json_extract_scalar(responseelements, '$.modelPackageArn')) AS model_package,
       json_extract_scalar(requestparameters, '$.approvalDescription') AS approval_description,
       eventname,
       sourceipaddress
FROM "{{database}}"."{{table}}"
WHERE {_RECENT}
  AND eventsource = 'sagemaker.amazonaws.com'
  AND eventname IN ('UpdateModelPackage', 'CreateModelPackage')
  AND json_extract_scalar(requestparameters, '$.modelApprovalStatus') = 'Approved'
  AND errorcode IS NULL
ORDER BY event_time DESC
"""),
    "persona-sign-ins": (
        "Who signed in with which persona (IAM Identity Center permission set) to which account",
        f"""SELECT from_iso8601_timestamp(eventtime) AS event_time,
       recipientaccountid AS account_id,
       useridentity.username AS user_name,
       regexp_extract(json_extract_scalar(requestparameters, '$.roleArn'), 'AWSReservedSSO_(.+)_[0-9a-f]+$', 1) AS persona,
       json_extract_scalar(requestparameters, '$.roleArn') AS role_arn,
       sourceipaddress,
       errorcode
FROM "{{database}}"."{{table}}"
WHERE {_RECENT}
  AND eventsource = 'sts.amazonaws.com'
  AND eventname = 'AssumeRoleWithSAML'
  AND strpos(json_extract_scalar(requestparameters, '$.roleArn'), '/AWSReservedSSO_') > 0
ORDER BY event_time DESC
"""),
    "scp-changes": (
        "Changes to service control policies and their attachments, denied attempts included",
        f"""SELECT *
FROM (
  SELECT from_iso8601_timestamp(eventtime) AS event_time,
         useridentity.arn AS actor,
         eventname,
         coalesce(json_extract_scalar(requestparameters, '$.policyId'),
                  json_extract_scalar(responseelements, '$.policy.policySummary.id')) AS policy_id,
         coalesce(json_extract_scalar(requestparameters, '$.name'),
                  json_extract_scalar(responseelements, '$.policy.policySummary.name')) AS policy_name,
         coalesce(json_extract_scalar(requestparameters, '$.type'),
                  json_extract_scalar(responseelements, '$.policy.policySummary.type')) AS policy_type,
         json_extract_scalar(requestparameters, '$.targetId') AS target_id,
         errorcode,
         errormessage
  FROM "{{database}}"."{{table}}"
  WHERE {_RECENT}
    AND eventsource = 'organizations.amazonaws.com'
    AND eventname IN ('CreatePolicy', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy', 'DetachPolicy')
)
-- attachments and deletions name only the policy id: they are kept whatever the policy's type
WHERE policy_type IS NULL OR policy_type = 'SERVICE_CONTROL_POLICY'
ORDER BY event_time DESC
"""),
}
