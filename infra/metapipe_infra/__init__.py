"""The CDK app of metapipe: stack `MetadataPipelineStack` and its parts."""
