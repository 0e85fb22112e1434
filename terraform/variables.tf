# ---------------------------------------------------------------------------------------------------
# General
# ---------------------------------------------------------------------------------------------------

variable "aws_region" {
  description = "AWS region to deploy into."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like an AWS region name, e.g. us-east-1."
  }
}

variable "name" {
  description = "Name prefix for every resource (letters, digits and hyphens)."
  type        = string
  default     = "sluice"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 characters: lower-case letters, digits, hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource (provider default_tags)."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(var.tags) <= 40
    error_message = "At most 40 default tags."
  }
}

# ---------------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------------

variable "vpc_id" {
  description = "VPC that holds the GPU hosts, the internal load balancer, the Lambda and Redis."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-...)."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two, in different AZs) for the GPU hosts, the internal load balancer, the Lambda and Redis. They need outbound access (NAT) so hosts can pull images and weights."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2 && alltrue([for s in var.private_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "Give at least two subnet ids (subnet-...)."
  }
}

# ---------------------------------------------------------------------------------------------------
# GPU hosts and runtime
# ---------------------------------------------------------------------------------------------------

variable "runtime" {
  description = "Inference runtime on the GPU hosts; the compose profile of the same name is started, and it is also the gateway's BACKEND_KIND."
  type        = string
  default     = "vllm"

  validation {
    condition     = contains(["vllm", "tgi", "sglang", "llamacpp", "ollama", "localai"], var.runtime)
    error_message = "runtime must be one of vllm, tgi, sglang, llamacpp, ollama, localai."
  }
}

variable "compose_service_name" {
  description = "Name of the runtime's service in docker-compose.yml, whose port is published on the host for the load balancer. Empty means the same as runtime (the profile name)."
  type        = string
  default     = ""

  validation {
    condition     = var.compose_service_name == "" || can(regex("^[a-z0-9][a-z0-9_.-]*$", var.compose_service_name))
    error_message = "compose_service_name must be empty or a compose service name."
  }
}

variable "model_name" {
  description = "The model name clients send: MODEL_NAME for both the compose profile (vLLM/SGLang --served-model-name, the Ollama model to pull, the llama.cpp alias) and the gateway, e.g. qwen2.5-7b-instruct."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9._:/-]{1,200}$", var.model_name))
    error_message = "model_name must be 1-200 characters: letters, digits, '.', '_', ':', '/', '-'."
  }
}

variable "hf_model" {
  description = "Hugging Face repo id the vllm, tgi and sglang profiles download into the data volume (HF_MODEL in deploy/env/<runtime>.env), e.g. Qwen/Qwen2.5-7B-Instruct. Empty keeps the env template's value. Other runtimes take their model through runtime_extra_env (e.g. LOCALAI_MODEL)."
  type        = string
  default     = ""

  validation {
    condition     = var.hf_model == "" || can(regex("^[A-Za-z0-9._-]+/[A-Za-z0-9._-]+$", var.hf_model))
    error_message = "hf_model must be empty or a Hugging Face repo id (owner/name)."
  }
}

variable "model_aliases" {
  description = "Optional MODEL_ALIASES for the gateway: comma-separated other names (globs allowed) that mean model_name, e.g. \"gpt-4o-mini,claude-*\". Empty leaves it unset."
  type        = string
  default     = ""

  validation {
    condition     = length(var.model_aliases) <= 2000
    error_message = "model_aliases is limited to 2000 characters."
  }
}

variable "instance_type" {
  description = "EC2 instance type for the GPU hosts: a g5, g6, g6e, p4d/p4de or p5/p5e family type."
  type        = string
  default     = "g6.xlarge"

  validation {
    condition     = can(regex("^(g5|g6|g6e|p4d|p4de|p5|p5e|p5en)\\.[0-9]*x?large$", var.instance_type))
    error_message = "instance_type must be a g5, g6, g6e, p4d, p4de, p5, p5e or p5en type (e.g. g6.xlarge)."
  }
}

variable "gpu_ami_ssm_parameter" {
  description = "SSM public parameter holding the GPU AMI id. The default is the ECS GPU-optimized Amazon Linux 2023 AMI (NVIDIA driver and container toolkit, Docker)."
  type        = string
  default     = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"

  validation {
    condition     = startswith(var.gpu_ami_ssm_parameter, "/")
    error_message = "gpu_ami_ssm_parameter must be an SSM parameter path starting with /."
  }
}

variable "gpu_ami_id" {
  description = "Explicit AMI id for the GPU hosts; overrides gpu_ami_ssm_parameter when set. It must have the NVIDIA driver, Docker and the NVIDIA container toolkit."
  type        = string
  default     = ""

  validation {
    condition     = var.gpu_ami_id == "" || can(regex("^ami-[0-9a-f]+$", var.gpu_ami_id))
    error_message = "gpu_ami_id must be empty or an AMI id (ami-...)."
  }
}

variable "asg_min_size" {
  description = "Minimum number of GPU hosts."
  type        = number
  default     = 1

  validation {
    condition     = var.asg_min_size >= 0 && var.asg_min_size <= 50
    error_message = "asg_min_size must be between 0 and 50."
  }
}

variable "asg_max_size" {
  description = "Maximum number of GPU hosts."
  type        = number
  default     = 2

  validation {
    condition     = var.asg_max_size >= 1 && var.asg_max_size <= 50
    error_message = "asg_max_size must be between 1 and 50."
  }
}

variable "asg_desired_capacity" {
  description = "Desired number of GPU hosts (between asg_min_size and asg_max_size)."
  type        = number
  default     = 1

  validation {
    condition     = var.asg_desired_capacity >= 0 && var.asg_desired_capacity <= 50
    error_message = "asg_desired_capacity must be between 0 and 50."
  }
}

variable "root_volume_size_gb" {
  description = "Root EBS volume size (GiB): OS and container images (runtime images are 5-20 GB)."
  type        = number
  default     = 100

  validation {
    condition     = var.root_volume_size_gb >= 50 && var.root_volume_size_gb <= 1000
    error_message = "root_volume_size_gb must be between 50 and 1000."
  }
}

variable "data_volume_size_gb" {
  description = "Data EBS volume (GiB) for model weights, mounted at the compose ./data directory."
  type        = number
  default     = 200

  validation {
    condition     = var.data_volume_size_gb >= 20 && var.data_volume_size_gb <= 16000
    error_message = "data_volume_size_gb must be between 20 and 16000."
  }
}

variable "repo_url" {
  description = "Git URL of the Sluice repository cloned onto the GPU hosts (its docker-compose.yml holds the runtime profiles)."
  type        = string
  default     = "https://github.com/sluice-dev/sluice.git"

  validation {
    condition     = can(regex("^(https://|git@)", var.repo_url))
    error_message = "repo_url must be an https:// or git@ URL."
  }
}

variable "repo_ref" {
  description = "Git branch, tag or commit of the repository to check out on the hosts."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]+$", var.repo_ref))
    error_message = "repo_ref may contain letters, digits, '.', '_', '/' and '-'."
  }
}

variable "hf_token_ssm_parameter" {
  description = "Optional SSM SecureString name holding a Hugging Face token (HF_TOKEN) for gated models; the hosts read it at boot. Empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.hf_token_ssm_parameter == "" || startswith(var.hf_token_ssm_parameter, "/")
    error_message = "hf_token_ssm_parameter must be empty or a parameter name starting with /."
  }
}

variable "runtime_extra_env" {
  description = "Extra variables set in the compose .env on the hosts, over deploy/env/<runtime>.env (e.g. MAX_MODEL_LEN, TOOL_CALL_PARSER, LOCALAI_MODEL). Not secret: they land in the launch template user data."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.runtime_extra_env : can(regex("^[A-Z_][A-Z0-9_]*$", k)) && !can(regex("['\\n]", v))])
    error_message = "runtime_extra_env keys must be upper-case environment variable names, and values may not contain single quotes or newlines."
  }
}

variable "health_check_grace_period_s" {
  description = "Seconds the ASG waits before acting on load balancer health checks: image pull plus weight download plus model load."
  type        = number
  default     = 1200

  validation {
    condition     = var.health_check_grace_period_s >= 60 && var.health_check_grace_period_s <= 7200
    error_message = "health_check_grace_period_s must be between 60 and 7200."
  }
}

# ---------------------------------------------------------------------------------------------------
# Lambda
# ---------------------------------------------------------------------------------------------------

variable "enable_buffered" {
  description = "Create the buffered Lambda (runtime java25, handler dev.sluice.lambda.ApiGatewayV2Handler::handleRequest)."
  type        = bool
  default     = true
}

variable "enable_streaming" {
  description = "Create the streaming Lambda (runtime provided.al2023 with the bootstrap, Function URL InvokeMode RESPONSE_STREAM)."
  type        = bool
  default     = true
}

variable "buffered_function_url" {
  description = "Give the buffered Lambda a Function URL (InvokeMode BUFFERED)."
  type        = bool
  default     = false
}

variable "enable_http_api" {
  description = "Put an API Gateway HTTP API ($default route, $default stage) in front of the buffered Lambda (30 s hard integration timeout)."
  type        = bool
  default     = true
}

variable "function_url_auth_type" {
  description = "Auth type of the Function URLs: NONE (Sluice's API_KEYS still applies) or AWS_IAM."
  type        = string
  default     = "NONE"

  validation {
    condition     = contains(["NONE", "AWS_IAM"], var.function_url_auth_type)
    error_message = "function_url_auth_type must be NONE or AWS_IAM."
  }
}

variable "buffered_artifact_path" {
  description = "Local path of the artifact for the buffered Lambda: lambda/target/sluice-lambda.jar or the streaming zip (either works)."
  type        = string
  default     = "../lambda/target/sluice-lambda.jar"

  validation {
    condition     = can(regex("\\.(jar|zip)$", var.buffered_artifact_path))
    error_message = "buffered_artifact_path must end in .jar or .zip."
  }
}

variable "streaming_artifact_path" {
  description = "Local path of the streaming zip (lambda/package-streaming.sh output)."
  type        = string
  default     = "../lambda/target/sluice-lambda-streaming.zip"

  validation {
    condition     = endswith(var.streaming_artifact_path, ".zip")
    error_message = "streaming_artifact_path must be the .zip built by lambda/package-streaming.sh."
  }
}

variable "streaming_java_layer_arns" {
  description = "Lambda layer ARNs for the streaming function; one must unpack a JDK 25 to /opt/java (provided.al2023 has no Java)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.streaming_java_layer_arns) <= 5 && alltrue([for a in var.streaming_java_layer_arns : can(regex("^arn:aws[a-z-]*:lambda:", a))])
    error_message = "Give at most 5 Lambda layer ARNs."
  }
}

variable "lambda_architecture" {
  description = "Lambda instruction set: x86_64 or arm64 (the Java layer must match)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.lambda_architecture)
    error_message = "lambda_architecture must be x86_64 or arm64."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of each Lambda (MB); CPU scales with it. 1024-2048 gives a reasonable JVM start."
  type        = number
  default     = 1536

  validation {
    condition     = var.lambda_memory_mb >= 512 && var.lambda_memory_mb <= 10240
    error_message = "lambda_memory_mb must be between 512 and 10240."
  }
}

variable "buffered_timeout_s" {
  description = "Timeout of the buffered Lambda (s). Behind API Gateway keep it at most 29 (HTTP API cuts at 30 s) and above request_timeout_s."
  type        = number
  default     = 28

  validation {
    condition     = var.buffered_timeout_s >= 5 && var.buffered_timeout_s <= 29
    error_message = "buffered_timeout_s must be between 5 and 29 (API Gateway's integration limit is 29-30 s)."
  }
}

variable "streaming_timeout_s" {
  description = "Timeout of the streaming Lambda (s), below Lambda's 900 s cap; set it above LAMBDA_MAX_STREAM_S + 2."
  type        = number
  default     = 300

  validation {
    condition     = var.streaming_timeout_s >= 10 && var.streaming_timeout_s < 900
    error_message = "streaming_timeout_s must be at least 10 and below 900."
  }
}

variable "request_timeout_s" {
  description = "REQUEST_TIMEOUT_S for the buffered Lambda: whole-request limit, below buffered_timeout_s. The streaming Lambda gets streaming_timeout_s - 5."
  type        = number
  default     = 25

  validation {
    condition     = var.request_timeout_s >= 1 && var.request_timeout_s <= 28
    error_message = "request_timeout_s must be between 1 and 28."
  }
}

variable "lambda_max_tokens" {
  description = "LAMBDA_MAX_TOKENS: cap on max_tokens in forwarded requests."
  type        = number
  default     = 4096

  validation {
    condition     = var.lambda_max_tokens >= 1 && var.lambda_max_tokens <= 1000000
    error_message = "lambda_max_tokens must be between 1 and 1000000."
  }
}

variable "log_retention_days" {
  description = "CloudWatch log retention for the Lambda log groups (days)."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

# ---------------------------------------------------------------------------------------------------
# API keys
# ---------------------------------------------------------------------------------------------------

variable "api_keys_source" {
  description = "Where the client API keys (comma-separated, the API_KEYS value) are stored: ssm (SecureString parameter) or secretsmanager (plain-string secret)."
  type        = string
  default     = "ssm"

  validation {
    condition     = contains(["ssm", "secretsmanager"], var.api_keys_source)
    error_message = "api_keys_source must be ssm or secretsmanager."
  }
}

variable "api_keys_ssm_parameter" {
  description = "Name of the SSM SecureString parameter holding API_KEYS (used when api_keys_source = ssm)."
  type        = string
  default     = "/sluice/api-keys"

  validation {
    condition     = startswith(var.api_keys_ssm_parameter, "/")
    error_message = "api_keys_ssm_parameter must start with /."
  }
}

variable "api_keys_secret_id" {
  description = "Name or ARN of the Secrets Manager secret holding API_KEYS (used when api_keys_source = secretsmanager)."
  type        = string
  default     = "sluice/api-keys"

  validation {
    condition     = length(var.api_keys_secret_id) > 0 && length(var.api_keys_secret_id) <= 2048
    error_message = "api_keys_secret_id must be a secret name or ARN."
  }
}

# ---------------------------------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------------------------------

variable "enable_redis" {
  description = "Create an ElastiCache Redis replication group (TLS) and pass REDIS_URL to the Lambdas, so rate limits and quotas hold across instances."
  type        = bool
  default     = false
}

variable "redis_node_type" {
  description = "ElastiCache node type for Redis."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.redis_node_type, "cache.")
    error_message = "redis_node_type must be an ElastiCache node type (cache.*)."
  }
}

variable "redis_replicas" {
  description = "Number of Redis read replicas (0 for a single node; 1 or more enables automatic failover)."
  type        = number
  default     = 0

  validation {
    condition     = var.redis_replicas >= 0 && var.redis_replicas <= 5
    error_message = "redis_replicas must be between 0 and 5."
  }
}
