# Example for terraform/: two g6.xlarge hosts (one NVIDIA L4, 24 GB each) serving Qwen2.5-7B-Instruct
# with vLLM behind an internal ALB; both Lambda variants (streaming Function URL + buffered HTTP API);
# ElastiCache Redis for shared rate limits.
#
#   cd terraform
#   terraform init
#   terraform apply -var-file=../examples/terraform/terraform.tfvars

aws_region = "us-east-1"
name       = "sluice"
tags = {
  project = "sluice"
  env     = "prod"
}

# An existing VPC with private subnets in two AZs and a NAT gateway (hosts pull images and weights).
vpc_id             = "vpc-0a1b2c3d4e5f60718"
private_subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

# GPU hosts: the "vllm" compose profile with Qwen on two replicas.
runtime              = "vllm"
model_name           = "qwen2.5-7b-instruct"      # what clients send (vLLM --served-model-name)
hf_model             = "Qwen/Qwen2.5-7B-Instruct" # downloaded once into the data volume
model_aliases        = "gpt-4o-mini,claude-*"     # other names that mean model_name
instance_type        = "g6.xlarge"
asg_min_size         = 2
asg_desired_capacity = 2
asg_max_size         = 4
data_volume_size_gb  = 200
repo_ref             = "main"
runtime_extra_env = {
  # Set over deploy/env/vllm.env in the hosts' compose .env (see that file for the names).
  MAX_MODEL_LEN    = "16384"
  TOOL_CALL_PARSER = "hermes"
}
# hf_token_ssm_parameter = "/sluice/hf-token" # only for gated models

# Lambda: streaming Function URL and buffered behind an HTTP API.
enable_streaming          = true
enable_buffered           = true
enable_http_api           = true
buffered_function_url     = false
function_url_auth_type    = "NONE" # Sluice's API_KEYS still applies
streaming_artifact_path   = "../lambda/target/sluice-lambda-streaming.zip"
buffered_artifact_path    = "../lambda/target/sluice-lambda.jar"
streaming_java_layer_arns = ["arn:aws:lambda:us-east-1:123456789012:layer:jdk25-x86_64:1"]
lambda_architecture       = "x86_64"
lambda_memory_mb          = 2048
buffered_timeout_s        = 28
request_timeout_s         = 25
streaming_timeout_s       = 300
lambda_max_tokens         = 4096
log_retention_days        = 30

# API keys: a SecureString created beforehand, e.g.
#   aws ssm put-parameter --name /sluice/api-keys --type SecureString --value 'key-one,key-two'
api_keys_source        = "ssm"
api_keys_ssm_parameter = "/sluice/api-keys"

# Redis for rate limits and quotas shared across Lambda instances.
enable_redis    = true
redis_node_type = "cache.t4g.small"
redis_replicas  = 1
