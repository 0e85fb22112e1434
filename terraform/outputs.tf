output "streaming_function_url" {
  description = "Function URL of the streaming Lambda (RESPONSE_STREAM); use it as the OpenAI/Anthropic base URL (append /v1 for OpenAI SDKs)."
  value       = var.enable_streaming ? aws_lambda_function_url.streaming[0].function_url : null
}

output "buffered_function_url" {
  description = "Function URL of the buffered Lambda (BUFFERED), when buffered_function_url is set."
  value       = var.enable_buffered && var.buffered_function_url ? aws_lambda_function_url.buffered[0].function_url : null
}

output "http_api_endpoint" {
  description = "Endpoint of the API Gateway HTTP API in front of the buffered Lambda."
  value       = var.enable_buffered && var.enable_http_api ? aws_apigatewayv2_stage.default[0].invoke_url : null
}

output "runtime_lb_dns_name" {
  description = "DNS name of the internal runtime load balancer."
  value       = aws_lb.runtime.dns_name
}

output "backend_base_url" {
  description = "BACKEND_BASE_URL given to the Lambdas."
  value       = local.backend_base_url
}

output "log_group_names" {
  description = "CloudWatch log groups of the Lambdas."
  value = compact([
    var.enable_buffered ? aws_cloudwatch_log_group.buffered[0].name : "",
    var.enable_streaming ? aws_cloudwatch_log_group.streaming[0].name : "",
  ])
}

output "gpu_autoscaling_group_name" {
  description = "Name of the GPU hosts' auto scaling group."
  value       = aws_autoscaling_group.gpu.name
}

output "redis_endpoint" {
  description = "Primary endpoint of the ElastiCache Redis, when enabled."
  value       = var.enable_redis ? aws_elasticache_replication_group.redis[0].primary_endpoint_address : null
}
