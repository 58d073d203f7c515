"""metapipe: the S3 metadata.json -> OpenSearch pipeline, its Step Functions workflow
as code, a validator for any ASL file, and a local emulator of Step Functions."""

__all__ = ["__version__"]
__version__ = "0.1.0"
