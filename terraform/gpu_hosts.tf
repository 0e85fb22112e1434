# GPU hosts: launch template + auto scaling group running the runtime's compose profile,
# behind an internal load balancer that only the Lambda can reach.

data "aws_ssm_parameter" "gpu_ami" {
  name = var.gpu_ami_ssm_parameter
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

# ---- security groups --------------------------------------------------------------------------------

resource "aws_security_group" "lambda" {
  name_prefix = "${local.name}-lambda-"
  description = "Sluice Lambda: egress to the runtime load balancer, Redis and AWS APIs"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "lambda_all" {
  security_group_id = aws_security_group.lambda.id
  description       = "AWS APIs (SSM, Secrets Manager, logs) and the load balancer"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "lb" {
  name_prefix = "${local.name}-runtime-lb-"
  description = "Internal runtime load balancer: reachable from the Sluice Lambda only"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "lb_from_lambda" {
  security_group_id            = aws_security_group.lb.id
  description                  = "Runtime port from the Sluice Lambda"
  ip_protocol                  = "tcp"
  from_port                    = local.runtime_port
  to_port                      = local.runtime_port
  referenced_security_group_id = aws_security_group.lambda.id
}

resource "aws_vpc_security_group_egress_rule" "lb_to_hosts" {
  security_group_id            = aws_security_group.lb.id
  description                  = "Runtime port on the GPU hosts"
  ip_protocol                  = "tcp"
  from_port                    = local.runtime_port
  to_port                      = local.runtime_port
  referenced_security_group_id = aws_security_group.gpu.id
}

resource "aws_security_group" "gpu" {
  name_prefix = "${local.name}-gpu-"
  description = "GPU hosts: the runtime port from the load balancer only"
  vpc_id      = var.vpc_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "gpu_from_lb" {
  security_group_id            = aws_security_group.gpu.id
  description                  = "Runtime port from the internal load balancer (traffic and health checks)"
  ip_protocol                  = "tcp"
  from_port                    = local.runtime_port
  to_port                      = local.runtime_port
  referenced_security_group_id = aws_security_group.lb.id
}

resource "aws_vpc_security_group_egress_rule" "gpu_all" {
  security_group_id = aws_security_group.gpu.id
  description       = "Image pulls, weight downloads, SSM"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

# ---- internal load balancer -------------------------------------------------------------------------

resource "aws_lb" "runtime" {
  name               = "${local.name}-runtime"
  internal           = true
  load_balancer_type = "application"
  security_groups    = [aws_security_group.lb.id]
  subnets            = var.private_subnet_ids
  # Long completions: keep idle connections open well past a streamed reply's pauses.
  idle_timeout = 900

  lifecycle {
    precondition {
      condition     = var.enable_buffered || var.enable_streaming
      error_message = "Enable at least one Lambda variant (enable_buffered and/or enable_streaming): nothing else can reach the runtime."
    }
  }
}

resource "aws_lb_target_group" "runtime" {
  name_prefix = "rt-"
  port        = local.runtime_port
  protocol    = "HTTP"
  vpc_id      = var.vpc_id
  target_type = "instance"
  # On scale-in or instance refresh the ASG deregisters an instance and waits this long for its in-flight
  # requests (long generations) before terminating it; the gateway (Lambda) ends its own streams at its
  # max stream duration. A gateway run on EC2 behind an ALB instead wants deregistration_delay >=
  # DRAIN_TIMEOUT_S (30 s default; docs/OPERATIONS.md "Graceful drain").
  deregistration_delay = 120

  health_check {
    enabled             = true
    path                = local.runtime_health_path
    port                = "traffic-port"
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 4
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "runtime" {
  load_balancer_arn = aws_lb.runtime.arn
  port              = local.runtime_port
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.runtime.arn
  }
}

# ---- instance role (SSM Session Manager, optional HF token) ----------------------------------------

data "aws_iam_policy_document" "gpu_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "gpu" {
  name_prefix        = "${local.name}-gpu-"
  assume_role_policy = data.aws_iam_policy_document.gpu_assume.json
}

resource "aws_iam_role_policy_attachment" "gpu_ssm_core" {
  role       = aws_iam_role.gpu.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

data "aws_iam_policy_document" "gpu_hf_token" {
  count = var.hf_token_ssm_parameter != "" ? 1 : 0

  statement {
    actions   = ["ssm:GetParameter"]
    resources = ["arn:aws:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter${var.hf_token_ssm_parameter}"]
  }
}

resource "aws_iam_role_policy" "gpu_hf_token" {
  count  = var.hf_token_ssm_parameter != "" ? 1 : 0
  name   = "hf-token"
  role   = aws_iam_role.gpu.id
  policy = data.aws_iam_policy_document.gpu_hf_token[0].json
}

resource "aws_iam_instance_profile" "gpu" {
  name_prefix = "${local.name}-gpu-"
  role        = aws_iam_role.gpu.name
}

# ---- launch template and auto scaling group ---------------------------------------------------------

resource "aws_launch_template" "gpu" {
  name_prefix   = "${local.name}-gpu-"
  image_id      = local.gpu_ami_id
  instance_type = var.instance_type

  vpc_security_group_ids = [aws_security_group.gpu.id]

  iam_instance_profile {
    arn = aws_iam_instance_profile.gpu.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.root_volume_size_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  # Weights volume, mounted at the compose ./data directory by the user data.
  block_device_mappings {
    device_name = "/dev/sdf"
    ebs {
      volume_size           = var.data_volume_size_gb
      volume_type           = "gp3"
      throughput            = 500
      iops                  = 6000
      encrypted             = true
      delete_on_termination = true
    }
  }

  user_data = base64encode(templatefile("${path.module}/templates/user_data.sh.tftpl", {
    runtime          = var.runtime
    compose_service  = var.compose_service_name != "" ? var.compose_service_name : var.runtime
    model_name       = var.model_name
    hf_model         = var.hf_model
    repo_url         = var.repo_url
    repo_ref         = var.repo_ref
    hf_token_param   = var.hf_token_ssm_parameter
    aws_region       = data.aws_region.current.region
    runtime_port     = local.runtime_port
    health_path      = local.runtime_health_path
    extra_env        = var.runtime_extra_env
    data_volume_size = var.data_volume_size_gb
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = { Name = "${local.name}-gpu-${var.runtime}" }
  }

  tag_specifications {
    resource_type = "volume"
    tags          = { Name = "${local.name}-gpu-${var.runtime}" }
  }
}

resource "aws_autoscaling_group" "gpu" {
  name_prefix               = "${local.name}-gpu-"
  min_size                  = var.asg_min_size
  max_size                  = var.asg_max_size
  desired_capacity          = var.asg_desired_capacity
  vpc_zone_identifier       = var.private_subnet_ids
  target_group_arns         = [aws_lb_target_group.runtime.arn]
  health_check_type         = "ELB"
  health_check_grace_period = var.health_check_grace_period_s

  launch_template {
    id      = aws_launch_template.gpu.id
    version = aws_launch_template.gpu.latest_version
  }

  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 50
    }
  }

  tag {
    key                 = "Name"
    value               = "${local.name}-gpu-${var.runtime}"
    propagate_at_launch = true
  }

  lifecycle {
    precondition {
      condition     = var.asg_min_size <= var.asg_desired_capacity && var.asg_desired_capacity <= var.asg_max_size
      error_message = "Need asg_min_size <= asg_desired_capacity <= asg_max_size."
    }
  }
}
