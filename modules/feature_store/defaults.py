"""Names and settings of the feature store module."""

# The role SageMaker Feature Store writes a feature group's offline store (and its Glue table) with.
FEATURE_STORE_ROLE = "feature-store"
# The Glue database SageMaker creates the offline store tables in.
OFFLINE_STORE_DATABASE = "sagemaker_featurestore"

# AWS RAM managed permissions of SageMaker Feature Store (note the case of each name).
RAM_PERMISSION = "arn:aws:ram::aws:permission/{name}"
READ_ONLY = "AWSRAMPermissionSageMakerFeatureGroupReadOnly"
READ_WRITE = "AWSRAMPermissionSagemakerFeatureGroupReadWrite"
CATALOG_SEARCH = "AWSRAMPermissionSageMakerCatalogResourceSearch"
CATALOG = "DefaultFeatureGroupCatalog"

# What a team's roles may call on a feature group shared with their account.
READ_ACTIONS = ("sagemaker:BatchGetRecord", "sagemaker:DescribeFeatureGroup", "sagemaker:DescribeFeatureMetadata",
                "sagemaker:GetRecord")
WRITE_ACTIONS = ("sagemaker:DeleteRecord", "sagemaker:PutRecord")

# The policy a team's roles get for the feature groups shared with their account.
FEATURE_ACCESS_POLICY = "feature-store"
