"""TaskForge's AWS infrastructure as an AWS CDK app: see cdk/README.md."""
