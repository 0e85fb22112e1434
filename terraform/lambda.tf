# The Sluice Lambda: a buffered variant (java25, API Gateway payload 2.0 handler) and a streaming
# variant (provided.al2023 bootstrap, Function URL RESPONSE_STREAM), both in the VPC next to the
# internal runtime load balancer.

# ---- API keys ----------------------------------------------------------------------------------------
# Sluice reads client keys from the API_KEYS environment variable only. Terraform reads the secret at
# apply time and sets API_KEYS; the value is thus in the Terraform state and the function
# configuration (encrypted at rest with the Lambda KMS key). Keep the state in an encrypted,
# access-controlled backend. Rotating keys = update the parameter/secret and re-apply.

data "aws_ssm_parameter" "api_keys" {
  count           = var.api_keys_source == "ssm" ? 1 : 0
  name            = var.api_keys_ssm_parameter
  with_decryption = true
}

data "aws_secretsmanager_secret_version" "api_keys" {
  count     = var.api_keys_source == "secretsmanager" ? 1 : 0
  secret_id = var.api_keys_secret_id
}

# ---- IAM ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name_prefix        = "${local.name}-lambda-"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

# Logs plus the ENI permissions a VPC function needs.
resource "aws_iam_role_policy_attachment" "lambda_vpc" {
  role       = aws_iam_role.lambda.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

# ---- log groups --------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "buffered" {
  count             = var.enable_buffered ? 1 : 0
  name              = "/aws/lambda/${local.name}-buffered"
  retention_in_days = var.log_retention_days
}

resource "aws_cloudwatch_log_group" "streaming" {
  count             = var.enable_streaming ? 1 : 0
  name              = "/aws/lambda/${local.name}-streaming"
  retention_in_days = var.log_retention_days
}

# ---- buffered function (API Gateway HTTP API and/or Function URL BUFFERED) --------------------------

resource "aws_lambda_function" "buffered" {
  count         = var.enable_buffered ? 1 : 0
  function_name = "${local.name}-buffered"
  role          = aws_iam_role.lambda.arn
  runtime       = "java25"
  handler       = "dev.sluice.lambda.ApiGatewayV2Handler::handleRequest"
  architectures = [var.lambda_architecture]
  memory_size   = var.lambda_memory_mb
  timeout       = var.buffered_timeout_s

  filename         = var.buffered_artifact_path
  source_code_hash = filebase64sha256(var.buffered_artifact_path)

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    variables = local.lambda_environment
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.buffered[0].name
  }

  lifecycle {
    precondition {
      condition     = var.request_timeout_s < var.buffered_timeout_s
      error_message = "request_timeout_s must be below buffered_timeout_s, so the gateway answers its own 504 before Lambda kills the invocation."
    }
  }

  depends_on = [aws_iam_role_policy_attachment.lambda_vpc]
}

resource "aws_lambda_function_url" "buffered" {
  count              = var.enable_buffered && var.buffered_function_url ? 1 : 0
  function_name      = aws_lambda_function.buffered[0].function_name
  authorization_type = var.function_url_auth_type
  invoke_mode        = "BUFFERED"
}

resource "aws_lambda_permission" "buffered_url" {
  count                  = var.enable_buffered && var.buffered_function_url && var.function_url_auth_type == "NONE" ? 1 : 0
  statement_id           = "FunctionUrlPublic"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.buffered[0].function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Function URLs created since October 2025 also need lambda:InvokeFunction, limited to URL invocations.
resource "aws_lambda_permission" "buffered_url_invoke" {
  count                    = var.enable_buffered && var.buffered_function_url && var.function_url_auth_type == "NONE" ? 1 : 0
  statement_id             = "FunctionUrlInvoke"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.buffered[0].function_name
  principal                = "*"
  invoked_via_function_url = true
}

# ---- streaming function (Function URL RESPONSE_STREAM) ----------------------------------------------

resource "aws_lambda_function" "streaming" {
  count         = var.enable_streaming ? 1 : 0
  function_name = "${local.name}-streaming"
  role          = aws_iam_role.lambda.arn
  runtime       = "provided.al2023"
  # Unused by provided.al2023 (the zip's bootstrap starts the runtime); set for readability.
  handler       = "dev.sluice.lambda.stream.StreamingRuntime"
  architectures = [var.lambda_architecture]
  memory_size   = var.lambda_memory_mb
  timeout       = var.streaming_timeout_s
  layers        = var.streaming_java_layer_arns

  filename         = var.streaming_artifact_path
  source_code_hash = filebase64sha256(var.streaming_artifact_path)

  vpc_config {
    subnet_ids         = var.private_subnet_ids
    security_group_ids = [aws_security_group.lambda.id]
  }

  environment {
    # A stream may run up to the function timeout minus a margin: LAMBDA_MAX_STREAM_S + 2 < timeout.
    variables = merge(local.lambda_environment, {
      REQUEST_TIMEOUT_S   = tostring(var.streaming_timeout_s - 5)
      LAMBDA_MAX_STREAM_S = tostring(var.streaming_timeout_s - 5)
    })
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.streaming[0].name
  }

  lifecycle {
    precondition {
      condition     = length(var.streaming_java_layer_arns) > 0
      error_message = "provided.al2023 has no Java: set streaming_java_layer_arns to a layer that unpacks a JDK 25 to /opt/java."
    }
  }

  depends_on = [aws_iam_role_policy_attachment.lambda_vpc]
}

resource "aws_lambda_function_url" "streaming" {
  count              = var.enable_streaming ? 1 : 0
  function_name      = aws_lambda_function.streaming[0].function_name
  authorization_type = var.function_url_auth_type
  invoke_mode        = "RESPONSE_STREAM"
}

resource "aws_lambda_permission" "streaming_url" {
  count                  = var.enable_streaming && var.function_url_auth_type == "NONE" ? 1 : 0
  statement_id           = "FunctionUrlPublic"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.streaming[0].function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Function URLs created since October 2025 also need lambda:InvokeFunction, limited to URL invocations.
resource "aws_lambda_permission" "streaming_url_invoke" {
  count                    = var.enable_streaming && var.function_url_auth_type == "NONE" ? 1 : 0
  statement_id             = "FunctionUrlInvoke"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.streaming[0].function_name
  principal                = "*"
  invoked_via_function_url = true
}

# ---- API Gateway HTTP API in front of the buffered function -----------------------------------------

resource "aws_apigatewayv2_api" "http" {
  count         = var.enable_buffered && var.enable_http_api ? 1 : 0
  name          = "${local.name}-http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "buffered" {
  count                  = var.enable_buffered && var.enable_http_api ? 1 : 0
  api_id                 = aws_apigatewayv2_api.http[0].id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.buffered[0].invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = 30000
}

resource "aws_apigatewayv2_route" "default" {
  count     = var.enable_buffered && var.enable_http_api ? 1 : 0
  api_id    = aws_apigatewayv2_api.http[0].id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.buffered[0].id}"
}

# The $default stage: Sluice matches routes on the raw path, so no stage prefix.
resource "aws_apigatewayv2_stage" "default" {
  count       = var.enable_buffered && var.enable_http_api ? 1 : 0
  api_id      = aws_apigatewayv2_api.http[0].id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "http_api" {
  count         = var.enable_buffered && var.enable_http_api ? 1 : 0
  statement_id  = "HttpApiInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.buffered[0].function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http[0].execution_arn}/*/*"
}
