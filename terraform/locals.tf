locals {
  # Port and health path of each runtime, as in the compose profiles (docs/protocols.md section 4.1).
  runtimes = {
    vllm     = { port = 8000, health_path = "/health" }
    tgi      = { port = 80, health_path = "/health" }
    sglang   = { port = 30000, health_path = "/health" }
    llamacpp = { port = 8080, health_path = "/health" }
    ollama   = { port = 11434, health_path = "/api/version" }
    localai  = { port = 8080, health_path = "/readyz" }
  }

  runtime_port        = local.runtimes[var.runtime].port
  runtime_health_path = local.runtimes[var.runtime].health_path

  backend_base_url = "http://${aws_lb.runtime.dns_name}:${local.runtime_port}/v1"

  # The GPU AMI: an explicit ami_id wins over the SSM lookup.
  gpu_ami_id = var.gpu_ami_id != "" ? var.gpu_ami_id : data.aws_ssm_parameter.gpu_ami.value

  api_keys_value = var.api_keys_source == "ssm" ? data.aws_ssm_parameter.api_keys[0].value : data.aws_secretsmanager_secret_version.api_keys[0].secret_string

  redis_url = var.enable_redis ? "rediss://${aws_elasticache_replication_group.redis[0].primary_endpoint_address}:6379" : ""

  lambda_environment = merge(
    {
      BACKEND_KIND      = var.runtime
      BACKEND_BASE_URL  = local.backend_base_url
      MODEL_NAME        = var.model_name
      REQUEST_TIMEOUT_S = tostring(var.request_timeout_s)
      LAMBDA_MAX_TOKENS = tostring(var.lambda_max_tokens)
      API_KEYS          = local.api_keys_value
    },
    var.model_aliases != "" ? { MODEL_ALIASES = var.model_aliases } : {},
    var.enable_redis ? { REDIS_URL = local.redis_url } : {},
  )

  name = var.name
}
