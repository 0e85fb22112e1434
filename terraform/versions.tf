terraform {
  required_version = ">= 1.6.0"

  required_providers {
    # ~> 6.29, not 5.x: runtime "java25" is accepted from 6.20.0 (hashicorp/terraform-provider-aws#44985;
    # 5.x rejects it at plan), and aws_lambda_permission.invoked_via_function_url (needed by Function
    # URLs created since October 2025) from 6.29.0.
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.29"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = var.tags
  }
}
