#!/usr/bin/env python3
"""Adds `--api responses` (POST /v1/responses, Responses API SSE) to a scratch copy of the shared harness.

The shared harness (../shared/bench) knows the OpenAI chat and Anthropic Messages shapes only and is not ours to
change, so bench/run-sluice.sh copies it and runs this on the copy. Each edit is checked: if the harness changes
shape, this fails loudly instead of measuring the wrong thing.

usage: add-responses-api.py HARNESS_COPY_DIR
"""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])


def edit(path, old, new):
    p = root / path
    s = p.read_text()
    if old not in s:
        sys.exit(f"add-responses-api: {path} no longer has the expected text: {old[:60]!r}")
    p.write_text(s.replace(old, new, 1))


# bench-gateway.sh: the endpoint, the request body and the JSON smoke check
edit("bench-gateway.sh",
     '[ -n "$EPATH" ] || { [ "$API" = anthropic ] && EPATH=/v1/messages || EPATH=/v1/chat/completions; }',
     '[ -n "$EPATH" ] || { [ "$API" = anthropic ] && EPATH=/v1/messages; [ "$API" = responses ] && EPATH=/v1/responses; '
     '[ -n "$EPATH" ] || EPATH=/v1/chat/completions; }')
edit("bench-gateway.sh",
     'body() { # body STREAM(true|false) MODEL\n  if [ "$API" = anthropic ]; then',
     'body() { # body STREAM(true|false) MODEL\n  if [ "$API" = responses ]; then\n'
     '    printf \'{"model":"%s","instructions":"You are a helpful assistant.","input":"Write a haiku about load balancers.",'
     '"max_output_tokens":64,"temperature":0.2,"store":false,"stream":%s}\' "$2" "$1"\n  elif [ "$API" = anthropic ]; then')
edit("bench-gateway.sh",
     """if [ "$API" = anthropic ]; then key='"content"'; else key='"choices"'; fi""",
     """if [ "$API" = anthropic ]; then key='"content"'; elif [ "$API" = responses ]; then key='"output"'; else key='"choices"'; fi""")

# sse-probe.mjs: the request body and how an event is classified
edit("lib/sse-probe.mjs",
     "const body =\n  opts.api === 'anthropic'",
     "const body =\n  opts.api === 'responses'\n"
     "    ? JSON.stringify({ model, stream: true, store: false, max_output_tokens: 64, temperature: 0.2,"
     " instructions: 'You are a helpful assistant.', input: 'Write a haiku about load balancers.' })\n"
     "    : opts.api === 'anthropic'")
edit("lib/sse-probe.mjs",
     "  let j;\n  try { j = JSON.parse(d); } catch { return { bad: true }; }\n  const t = j?.type || evType;\n  return {",
     "  let j;\n  try { j = JSON.parse(d); } catch { return { bad: true }; }\n  const t = j?.type || evType;\n"
     "  if (opts.api === 'responses') {\n"
     "    return {\n"
     "      content: t === 'response.output_text.delta' && (j?.delta?.length ?? 0) > 0,\n"
     "      usage: t === 'response.completed' && !!j?.response?.usage,\n"
     "      done: t === 'response.completed',\n"
     "    };\n"
     "  }\n"
     "  return {")
print("added --api responses to", root)
