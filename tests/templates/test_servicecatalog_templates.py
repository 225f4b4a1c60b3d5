"""The Service Catalog product templates: valid CloudFormation, clean under cfn-lint and checkov, secure by default."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlplat.templates.servicecatalog import PRODUCTS, SSM_PARAMETERS, product, template_text

TEMPLATES_DIR = Path(__file__).parents[2] / "templates" / "servicecatalog"
KEYS = [p.key for p in PRODUCTS]
PERSONAS = ("data-scientist", "ml-team-lead", "ml-engineer")
# CloudFormation parameter type of each platform SSM parameter, as the templates must declare it.
SSM_PARAMETER_TYPES = {
    "/mlplat/network/vpc-id": "AWS::SSM::Parameter::Value<AWS::EC2::VPC::Id>",
    "/mlplat/network/private-subnet-ids": "AWS::SSM::Parameter::Value<List<AWS::EC2::Subnet::Id>>",
    "/mlplat/studio/security-group-id": "AWS::SSM::Parameter::Value<AWS::EC2::SecurityGroup::Id>",
}
# The job-running step types of SageMaker pipelines this test knows how to check.
JOB_STEP_TYPES = {"Processing", "Training"}
OTHER_STEP_TYPES = {"Condition", "RegisterModel", "Fail"}


class CloudFormationLoader(yaml.SafeLoader):
    """Safe YAML with CloudFormation's short-form tags (!Ref, !Sub, ...) read as their long form."""


def _intrinsic(tag: str):  # type: ignore[no-untyped-def]
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        if tag == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        key = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"
        return {key: value}

    return construct


for _tag in ("Ref", "Condition", "Sub", "GetAtt", "If", "Equals", "Not", "And", "Or", "Join", "Select",
             "Split", "FindInMap", "GetAZs", "ImportValue", "Base64", "Cidr"):
    CloudFormationLoader.add_constructor(f"!{_tag}", _intrinsic(_tag))


def load(key: str) -> dict[str, Any]:
    return yaml.load(template_text(key), Loader=CloudFormationLoader)  # noqa: S506 - a SafeLoader subclass


def properties(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    (props,) = [r["Properties"] for r in template["Resources"].values() if r["Type"] == resource_type]
    return props


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def resolve(value: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    """Evaluate Ref / Fn::If / Fn::Equals / Fn::Not for ``parameters``; a Ref without a value stays the parameter's name."""
    if isinstance(value, dict) and len(value) == 1:
        (fn, arg), = value.items()
        if fn == "Ref":
            return parameters.get(arg, arg)
        if fn == "Fn::Equals":
            return resolve(arg[0], template, parameters) == resolve(arg[1], template, parameters)
        if fn == "Fn::Not":
            return not resolve(arg[0], template, parameters)
        if fn == "Condition":
            return resolve(template["Conditions"][arg], template, parameters)
        if fn == "Fn::If":
            condition = resolve(template["Conditions"][arg[0]], template, parameters)
            return resolve(arg[1] if condition else arg[2], template, parameters)
    return value


# -- the product list -----------------------------------------------------------------------------


def test_products_list_exactly_the_shipped_templates() -> None:
    assert sorted(p.file_name for p in PRODUCTS) == sorted(
        p.name for p in TEMPLATES_DIR.iterdir() if p.suffix in (".yaml", ".yml", ".json")
    )
    assert sorted(p.file_name for p in PRODUCTS) == [
        "project-model-build.yaml", "project-model-deploy.yaml", "studio-domain.yaml", "studio-user-profile.yaml",
    ]
    assert len(set(KEYS)) == len(KEYS) and all(f"{p.key}.yaml" == p.file_name for p in PRODUCTS)
    assert all(p.name and len(p.description.split()) >= 8 for p in PRODUCTS)


def test_project_templates_carry_the_studio_visibility_tag() -> None:
    projects = {p.key for p in PRODUCTS if p.sagemaker_project_template}
    assert projects == {"project-model-build", "project-model-deploy"}
    for item in PRODUCTS:
        expected = {"sagemaker:studio-visibility": "true"} if item.key in projects else {}
        assert item.tags == expected
        # SageMaker passes these two parameters to a project template.
        parameters = load(item.key)["Parameters"]
        assert ({"SageMakerProjectName", "SageMakerProjectId"} <= set(parameters)) == (item.key in projects)


def test_template_text_reads_the_packaged_file() -> None:
    for item in PRODUCTS:
        assert template_text(item.key) == (TEMPLATES_DIR / item.file_name).read_text(encoding="utf-8")
    with pytest.raises(KeyError, match="known: studio-domain"):
        product("notebook")


def test_the_product_module_imports_no_scanner_and_no_engine() -> None:
    code = (
        "import sys, mlplat.templates.servicecatalog as sc; sc.template_text('studio-domain'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('checkov', 'cdktn', 'cdktf', 'cfnlint', 'jsii')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -- cfn-lint and checkov -------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_template_passes_cfn_lint_without_errors_or_warnings(key: str) -> None:
    cfnlint_api = pytest.importorskip("cfnlint.api", reason="cfn-lint is a test tool: pip install cfn-lint")
    matches = cfnlint_api.lint(template_text(key), config=cfnlint_api.ManualArgs(regions=["us-east-1"]))
    assert [f"{m.rule.id} line {m.linenumber}: {m.message}" for m in matches if m.rule.id[0] in "EW"] == []


@pytest.fixture(scope="module")
def checkov_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """checkov's cloudformation framework over the shipped templates, offline, as the scan runs it."""
    from mlplat.scan import runner

    home = tmp_path_factory.mktemp("checkov-home")
    proc = subprocess.run(
        runner.checkov_command(runner.product_templates_dir(), runner.TEMPLATES_FRAMEWORK),
        cwd=home, env=runner._checkov_env(home), stdin=subprocess.DEVNULL, capture_output=True, text=True,
        timeout=900, check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr or proc.stdout
    report = json.loads(proc.stdout)
    assert isinstance(report, dict) and report["check_type"] == "cloudformation"
    return report["results"]


def test_templates_pass_checkov_cloudformation_checks(checkov_report: dict[str, Any]) -> None:
    assert checkov_report.get("parsing_errors") == []
    failed = [f"{r['check_id']} {r['resource']} {r['file_path']}" for r in checkov_report.get("failed_checks") or []]
    assert failed == []
    # checkov's checks really ran on the templates' SageMaker resources.
    passed = {(r["check_id"], r["resource"]) for r in checkov_report["passed_checks"]}
    assert ("CKV_AWS_187", "AWS::SageMaker::Domain.TeamStudioDomain") in passed  # domain encrypted with a CMK
    assert ("CKV_AWS_370", "AWS::SageMaker::Model.EndpointModel") in passed  # model network isolated


def test_every_checkov_skip_in_a_template_says_why(checkov_report: dict[str, Any]) -> None:
    for record in checkov_report.get("skipped_checks") or []:
        comment = (record.get("check_result") or {}).get("suppress_comment") or ""
        assert len(comment.split()) >= 6 and comment != "No comment provided", record["check_id"]


def test_logical_ids_are_unique_across_templates() -> None:
    """The scan reports every template in one pseudo-stack, by resource type and logical id."""
    ids = [f"{r['Type']}.{name}" for key in KEYS for name, r in load(key)["Resources"].items()]
    assert len(ids) == len(set(ids))


# -- team environment from the platform's SSM parameters ----------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_team_values_come_from_the_platform_ssm_parameters(key: str) -> None:
    parameters = load(key)["Parameters"]
    ssm = {name: p for name, p in parameters.items() if p["Type"].startswith("AWS::SSM::Parameter::Value<")}
    assert ssm, "a product reads the team's environment from SSM"
    for name, parameter in parameters.items():
        default = parameter.get("Default")
        if name in ssm or (isinstance(default, str) and default.startswith("/")):
            assert default in SSM_PARAMETERS, f"{key}: {name} defaults to {default!r}"
            expected = SSM_PARAMETER_TYPES.get(default, "AWS::SSM::Parameter::Value<String>")
            assert parameter["Type"] == expected, f"{key}: {name}"


@pytest.mark.parametrize("key", KEYS)
def test_templates_create_no_iam_and_no_network(key: str) -> None:
    """Roles, keys, buckets and networks come from the platform; a product creates none of them."""
    types = {r["Type"] for r in load(key)["Resources"].values()}
    assert not {t for t in types if t.split("::")[1] in ("IAM", "KMS", "S3", "EC2")}


# -- studio-domain --------------------------------------------------------------------------------


def test_domain_is_vpc_only_encrypted_and_locked_down() -> None:
    template = load("studio-domain")
    domain = properties(template, "AWS::SageMaker::Domain")
    assert domain["AuthMode"] == "IAM"
    assert domain["AppNetworkAccessType"] == "VpcOnly"
    assert domain["KmsKeyId"] == ref("TeamKmsKeyArn")
    assert (domain["VpcId"], domain["SubnetIds"]) == (ref("VpcId"), ref("PrivateSubnetIds"))
    assert template["Parameters"]["TeamKmsKeyArn"]["Default"] == "/mlplat/team/kms-key-arn"
    assert template["Parameters"]["PrivateSubnetIds"]["Default"] == "/mlplat/network/private-subnet-ids"
    assert domain["DomainSettings"]["DockerSettings"]["EnableDockerAccess"] == "DISABLED"

    users, spaces = domain["DefaultUserSettings"], domain["DefaultSpaceSettings"]
    assert users["SharingSettings"] == {"NotebookOutputOption": "Disabled"}
    assert users["ExecutionRole"] == spaces["ExecutionRole"] == ref("DefaultExecutionRoleArn")
    assert users["SecurityGroups"] == spaces["SecurityGroups"] == [ref("StudioSecurityGroupId")]
    assert template["Parameters"]["DefaultExecutionRoleArn"]["Default"] == "/mlplat/roles/data-scientist-execution-role-arn"
    for settings in (users["JupyterLabAppSettings"], users["CodeEditorAppSettings"], spaces["JupyterLabAppSettings"]):
        idle = settings["AppLifecycleManagement"]["IdleSettings"]
        assert idle["LifecycleManagement"] == "ENABLED"
        assert idle["IdleTimeoutInMinutes"] == ref("IdleTimeoutInMinutes")
        assert idle["MaxIdleTimeoutInMinutes"] == ref("MaxIdleTimeoutInMinutes")


# -- studio-user-profile --------------------------------------------------------------------------


def test_user_profile_is_tagged_with_the_identity_center_user_name() -> None:
    template = load("studio-user-profile")
    profile = properties(template, "AWS::SageMaker::UserProfile")
    assert {"Key": "studiouserid", "Value": ref("UserName")} in profile["Tags"]
    assert "Default" not in template["Parameters"]["UserName"]
    assert profile["DomainId"] == ref("StudioDomainId")
    assert template["Parameters"]["StudioDomainId"]["Default"] == "/mlplat/studio/domain-id"
    settings = profile["UserSettings"]
    assert settings["SharingSettings"] == {"NotebookOutputOption": "Disabled"}
    assert settings["SecurityGroups"] == [ref("StudioSecurityGroupId")]
    # The profile is named after the user unless a name is given.
    assert resolve(profile["UserProfileName"], template, {"UserName": "jdoe", "UserProfileName": ""}) == "jdoe"
    assert resolve(profile["UserProfileName"], template, {"UserName": "j.doe@x.example", "UserProfileName": "jdoe"}) == "jdoe"


@pytest.mark.parametrize("persona", PERSONAS)
def test_user_profile_persona_selects_its_execution_role(persona: str) -> None:
    template = load("studio-user-profile")
    assert template["Parameters"]["Persona"]["AllowedValues"] == list(PERSONAS)
    assert template["Parameters"]["Persona"]["Default"] == "data-scientist"  # the least privileged
    role = resolve(properties(template, "AWS::SageMaker::UserProfile")["UserSettings"]["ExecutionRole"],
                   template, {"Persona": persona})
    assert template["Parameters"][role]["Default"] == f"/mlplat/roles/{persona}-execution-role-arn"


# -- project-model-build --------------------------------------------------------------------------

KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SAMPLE = {
    "SageMakerProjectName": "churn",
    "SageMakerProjectId": "p-abc123def456",
    "TeamBucketName": "acme-ml-team-a-dev-artifacts",
    "TeamKmsKeyArn": KEY_ARN,
    "StudioSecurityGroupId": "sg-0123456789abcdef0",
    "PipelineExecutionRoleArn": "arn:aws:iam::111122223333:role/mlplat/ml-engineer-execution",
}


def pipeline_definition(template: dict[str, Any], subnets: tuple[str, ...] = ("subnet-0a", "subnet-0b")) -> dict[str, Any]:
    """The pipeline definition JSON as CloudFormation renders it for sample parameter values."""
    pipeline = properties(template, "AWS::SageMaker::Pipeline")
    body, variables = pipeline["PipelineDefinition"]["PipelineDefinitionBody"]["Fn::Sub"]
    assert variables["ProjectUri"] == {"Fn::Sub": "s3://${TeamBucketName}/projects/${SageMakerProjectName}"}
    assert variables["SubnetIds"] == {"Fn::Join": ['", "', ref("PrivateSubnetIds")]}
    assert variables["ModelPackageGroupName"] == ref("ModelPackageGroupName")
    assert variables["ModelsUri"] == {"Fn::Sub": "s3://${TeamBucketName}/models/${SageMakerProjectName}"}
    defaults = {name: str(p["Default"]) for name, p in template["Parameters"].items() if "Default" in p}
    values = {
        **defaults,
        **SAMPLE,
        "ProjectUri": f"s3://{SAMPLE['TeamBucketName']}/projects/{SAMPLE['SageMakerProjectName']}",
        "ModelPackageGroupName": "churn-retention",
        "ModelsUri": f"s3://{SAMPLE['TeamBucketName']}/models/{SAMPLE['SageMakerProjectName']}",
        "SubnetIds": '", "'.join(subnets),
        "ProcessingImage": "<processing image>",
        "TrainingImage": "<training image>",
    }
    unknown = set(re.findall(r"\$\{([^}!]+)\}", body)) - set(values)
    assert not unknown, f"the definition names values this test does not know: {unknown}"
    return json.loads(re.sub(r"\$\{([^}!]+)\}", lambda m: values[m.group(1)], body))


def all_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for step in steps:
        found.append(step)
        if step["Type"] == "Condition":
            found += all_steps(step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", []))
    return found


def test_pipeline_is_preprocess_train_evaluate_condition_register() -> None:
    definition = pipeline_definition(load("project-model-build"))
    assert definition["Version"] == "2020-12-01"
    assert [(s["Name"], s["Type"]) for s in definition["Steps"]] == [
        ("Preprocess", "Processing"), ("Train", "Training"), ("Evaluate", "Processing"), ("CheckMetric", "Condition"),
    ]
    check = definition["Steps"][3]["Arguments"]
    (condition,) = check["Conditions"]
    assert condition["LeftValue"] == {"Std:JsonGet": {
        "PropertyFile": {"Get": "Steps.Evaluate.PropertyFiles.EvaluationReport"},
        "Path": "binary_classification_metrics.auc.value"}}
    assert condition["RightValue"] == {"Get": "Parameters.MetricThreshold"}
    assert {"Name": "MetricThreshold", "Type": "Float", "DefaultValue": 0.75} in definition["Parameters"]
    (register,) = check["IfSteps"]
    assert register["Type"] == "RegisterModel"
    assert register["Arguments"]["ModelApprovalStatus"] == "PendingManualApproval"
    assert register["Arguments"]["ModelPackageGroupName"] == "churn-retention"
    assert [s["Type"] for s in check["ElseSteps"]] == ["Fail"]


def test_pipeline_registers_in_a_use_case_group_of_the_platform_and_trains_into_models() -> None:
    # the groups are the platform's (the team's use cases), whose approved packages are promoted; the
    # trained model lands under models/, the prefix the team's test and prod accounts may read
    template = load("project-model-build")
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::SageMaker::ModelPackageGroup"]
    assert template["Parameters"]["ModelPackageGroupName"]["Type"] == "String"
    train = next(s for s in pipeline_definition(template)["Steps"] if s["Name"] == "Train")
    output = train["Arguments"]["OutputDataConfig"]["S3OutputPath"]["Std:Join"]["Values"][0]
    assert output == "s3://acme-ml-team-a-dev-artifacts/models/churn"


def test_every_pipeline_job_runs_in_the_vpc_isolated_and_encrypted() -> None:
    definition = pipeline_definition(load("project-model-build"))
    steps = all_steps(definition["Steps"])
    assert {s["Type"] for s in steps} <= JOB_STEP_TYPES | OTHER_STEP_TYPES, "a new step type: check it here"
    jobs = [s for s in steps if s["Type"] in JOB_STEP_TYPES]
    assert len(jobs) == 3
    vpc = {"SecurityGroupIds": [SAMPLE["StudioSecurityGroupId"]], "Subnets": ["subnet-0a", "subnet-0b"]}
    team_prefix = f"s3://{SAMPLE['TeamBucketName']}/projects/churn/"
    models_prefix = f"s3://{SAMPLE['TeamBucketName']}/models/churn"  # trained models: readable by test and prod
    for step in jobs:
        args = step["Arguments"]
        assert args["RoleArn"] == SAMPLE["PipelineExecutionRoleArn"]
        if step["Type"] == "Processing":
            assert args["NetworkConfig"]["VpcConfig"] == vpc, step["Name"]
            assert args["NetworkConfig"]["EnableNetworkIsolation"] is True, step["Name"]
            assert args["NetworkConfig"]["EnableInterContainerTrafficEncryption"] is True
            assert args["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == KEY_ARN
            assert args["ProcessingOutputConfig"]["KmsKeyId"] == KEY_ARN
            outputs = [o["S3Output"]["S3Uri"] for o in args["ProcessingOutputConfig"]["Outputs"]]
        else:
            assert args["VpcConfig"] == vpc, step["Name"]
            assert args["EnableNetworkIsolation"] is True, step["Name"]
            assert args["EnableInterContainerTrafficEncryption"] is True
            assert args["ResourceConfig"]["VolumeKmsKeyId"] == KEY_ARN
            assert args["OutputDataConfig"]["KmsKeyId"] == KEY_ARN
            outputs = [args["OutputDataConfig"]["S3OutputPath"]]
        assert outputs
        for output in outputs:  # every output lands in the team bucket, under the project, per execution
            head, execution, *_ = output["Std:Join"]["Values"]
            assert head.startswith(team_prefix) or head == models_prefix, head
            assert execution == {"Get": "Execution.PipelineExecutionId"}


def test_pipeline_references_resolve_to_its_own_steps_and_parameters() -> None:
    definition = pipeline_definition(load("project-model-build"), subnets=("subnet-0a",))
    text = json.dumps(definition)
    steps = {s["Name"] for s in all_steps(definition["Steps"])}
    parameters = {p["Name"] for p in definition["Parameters"]}
    known = {"Steps": steps, "Parameters": parameters, "Execution": {"PipelineExecutionId"}}
    for reference in re.findall(r'"Get": "([^"]+)"', text):
        kind, name = reference.split(".")[:2]
        assert name in known.get(kind, set()), reference
    assert '"Subnets": ["subnet-0a"]' in text


def test_pipeline_images_default_to_the_regions_sagemaker_framework_images() -> None:
    template = load("project-model-build")
    variables = properties(template, "AWS::SageMaker::Pipeline")["PipelineDefinition"]["PipelineDefinitionBody"]["Fn::Sub"][1]
    for variable, parameter, image in (("ProcessingImage", "ProcessingImageUri", "sagemaker-scikit-learn:1.2-1-cpu-py3"),
                                       ("TrainingImage", "TrainingImageUri", "sagemaker-xgboost:1.7-1")):
        assert template["Parameters"][parameter]["Default"] == ""
        default, given = variables[variable]["Fn::If"][1:]
        assert given == ref(parameter)
        assert default["Fn::Sub"][0] == "${Account}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/" + image
    registry = template["Mappings"]["FrameworkImageRegistry"]
    assert registry["us-east-1"] == {"Account": "683313688378"} and registry["eu-west-1"] == {"Account": "141502667606"}


# -- project-model-deploy -------------------------------------------------------------------------


def test_model_is_network_isolated_in_the_vpc() -> None:
    template = load("project-model-deploy")
    model = properties(template, "AWS::SageMaker::Model")
    assert model["EnableNetworkIsolation"] is True
    assert model["VpcConfig"] == {"SecurityGroupIds": [ref("StudioSecurityGroupId")], "Subnets": ref("PrivateSubnetIds")}
    assert model["Containers"] == [{"ModelPackageName": ref("ModelPackageArn")}]
    assert model["ExecutionRoleArn"] == ref("ModelExecutionRoleArn")
    assert template["Parameters"]["ModelExecutionRoleArn"]["Default"] == "/mlplat/roles/model-execution-role-arn"
    assert "Default" not in template["Parameters"]["ModelPackageArn"]


def test_endpoint_config_encrypts_volumes_and_data_capture() -> None:
    template = load("project-model-deploy")
    config = properties(template, "AWS::SageMaker::EndpointConfig")
    assert config["KmsKeyId"] == ref("TeamKmsKeyArn")
    capture = config["DataCaptureConfig"]
    assert capture["EnableCapture"] is True
    assert capture["KmsKeyId"] == ref("TeamKmsKeyArn")
    assert capture["DestinationS3Uri"] == {"Fn::Sub": "s3://${TeamBucketName}/data-capture"}
    assert template["Parameters"]["TeamBucketName"]["Default"] == "/mlplat/team/bucket-name"
    (variant,) = config["ProductionVariants"]
    assert variant["ModelName"] == {"Fn::GetAtt": ["EndpointModel", "ModelName"]}
    assert not any(t.startswith(("ml.m5d", "ml.c5d", "ml.g", "ml.p", "ml.inf"))
                   for t in template["Parameters"]["InstanceType"]["AllowedValues"])  # EBS only: the KMS key applies


def test_endpoint_scales_and_alarms() -> None:
    template = load("project-model-deploy")
    target = properties(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert target["ResourceId"] == {"Fn::Sub": "endpoint/${ModelEndpoint.EndpointName}/variant/AllTraffic"}
    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    policy = properties(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert policy["PolicyType"] == "TargetTrackingScaling"
    assert policy["ScalingTargetId"] == ref("EndpointScalableTarget")
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]
    assert tracking["PredefinedMetricSpecification"] == {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"}
    alarms = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert sorted(a["Properties"]["MetricName"] for a in alarms) == ["Invocation5XXErrors", "ModelLatency"]
    for alarm in alarms:
        # in test and prod the platform's own alarms watch the endpoint; the template's exist with a topic only
        assert alarm["Condition"] == "NotifyAlarms"
        assert alarm["Properties"]["Namespace"] == "AWS/SageMaker"
        assert {"Name": "EndpointName", "Value": {"Fn::GetAtt": ["ModelEndpoint", "EndpointName"]}} in alarm["Properties"]["Dimensions"]
        assert alarm["Properties"]["AlarmActions"] == [ref("AlarmTopicArn")]


def test_deploy_parameters_let_the_pipeline_deploy_outside_a_project() -> None:
    parameters = load("project-model-deploy")["Parameters"]
    assert parameters["EnvironmentName"]["AllowedValues"] == ["dev", "test", "prod"]
    assert "Default" in parameters["SageMakerProjectName"] and "Default" in parameters["SageMakerProjectId"]
    assert {"InstanceType", "InitialInstanceCount", "MaxInstanceCount"} <= set(parameters)
