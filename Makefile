# Docker compose shortcuts for Sluice. `make help` lists the targets.
# Java builds and tests: ./mvnw (see README.md); CI: .ci/run.

BACKENDS := vllm ollama llamacpp tgi sglang localai demo
BACKEND ?= $(shell sed -n 's/^\#* *make up BACKEND=\([a-z]*\).*/\1/p;s/^\#* *make \(demo\) .*/\1/p' .env 2>/dev/null | head -1)
COMPOSE ?= docker compose
SLUICE_URL ?= http://127.0.0.1:$(or $(shell sed -n 's/^SLUICE_PORT=//p' .env 2>/dev/null),8000)

.DEFAULT_GOAL := help
.PHONY: help up down ps logs health demo check $(addprefix env-,$(BACKENDS))

help: ## List the targets
	@echo "Usage: make <target> [BACKEND=$(subst $() ,|,$(BACKENDS))]"
	@grep -hE '^[a-zA-Z%_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

env-%: ## Copy deploy/env/<backend>.env to .env (env-vllm, env-ollama, env-llamacpp, env-tgi, env-sglang, env-localai, env-demo); keeps an existing .env
	@test -f deploy/env/$*.env || { echo "no template deploy/env/$*.env (one of: $(BACKENDS))" >&2; exit 2; }
	@if [ -f .env ]; then echo ".env exists; not replaced (remove it first to switch templates)"; \
	 else cp deploy/env/$*.env .env && echo "wrote .env from deploy/env/$*.env: review API_KEYS and the model"; fi

up: ## Start the gateway and one runtime: make up BACKEND=vllm (copies the env template if .env is missing)
	@test -n "$(BACKEND)" || { echo "set BACKEND, e.g. make up BACKEND=vllm (one of: $(BACKENDS))" >&2; exit 2; }
	@$(MAKE) --no-print-directory env-$(BACKEND)
	@mkdir -p data/hf-cache data/vllm-cache data/ollama data/models data/localai-models
	$(COMPOSE) --profile $(BACKEND) up -d --build

demo: ## Ollama on the CPU with qwen2.5:0.5b behind the gateway (no GPU); first start pulls ~400 MB
	@$(MAKE) --no-print-directory up BACKEND=demo

down: ## Stop and remove the containers of every profile (./data stays)
	$(COMPOSE) --profile '*' down

ps: ## Show the containers and their health
	$(COMPOSE) --profile '*' ps

logs: ## Follow the logs (make logs S=vllm for one service)
	$(COMPOSE) --profile '*' logs -f --tail=200 $(S)

health: ## Ask the gateway for /health and /readyz (readyz is 503 until the runtime answers)
	@echo "GET $(SLUICE_URL)/health"; curl -sS --max-time 5 $(SLUICE_URL)/health; echo
	@echo "GET $(SLUICE_URL)/readyz"; curl -sS --max-time 5 -w ' (HTTP %{http_code})' $(SLUICE_URL)/readyz; echo

check: ## Validate docker-compose.yml offline (compose-spec schema + project rules)
	bash .ci/checks/compose.sh
