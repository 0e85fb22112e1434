#!/usr/bin/env python3
"""A minimal loopback fake of the Lambda Runtime API for cold-start measurements and AOT training.

Usage: fake_runtime_api.py TASK_ROOT
Starts TASK_ROOT/bootstrap with AWS_LAMBDA_RUNTIME_API pointing here, BACKEND_KIND=sim, serves two streaming
chat events, then stops the runtime with SIGTERM (so -XX:AOTCacheOutput can write the cache) and prints JSON
timings in ms from the bootstrap's exec: nextN_ms (the runtime asked for event N), invN_first_body_chunk_ms,
invN_done_ms. The Java tests use FakeRuntimeApi.java instead; this one only drives a real process.
"""
import json, os, socket, subprocess, sys, threading, time

root = sys.argv[1]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 0))
srv.listen(8)
env = dict(os.environ, AWS_LAMBDA_RUNTIME_API='127.0.0.1:%d' % srv.getsockname()[1], LAMBDA_TASK_ROOT=root,
           AWS_LAMBDA_FUNCTION_NAME='sluice', AWS_REGION='eu-west-1', BACKEND_KIND='sim', API_KEYS='k1',
           SIM_TOKENS_PER_S='20', LOG_LEVEL='warn')
event = json.dumps({"version": "2.0", "rawPath": "/v1/chat/completions", "rawQueryString": "",
                    "headers": {"authorization": "Bearer k1", "content-type": "application/json"},
                    "requestContext": {"http": {"method": "POST", "path": "/v1/chat/completions"}},
                    "isBase64Encoded": False,
                    "body": json.dumps({"model": "sim", "stream": True, "max_tokens": 10,
                                        "messages": [{"role": "user", "content": "hi"}]})}).encode()
t0 = time.time()
proc = subprocess.Popen(['sh', os.path.join(root, 'bootstrap')], env=env)
marks, served, lock = {}, [0], threading.Lock()


def ms():
    return round((time.time() - t0) * 1000)


def line(f):
    return f.readline().decode().rstrip('\r\n')


def finish():
    print(json.dumps(marks), flush=True)
    proc.terminate()
    proc.wait()
    os._exit(0)


def serve(c):
    f = c.makefile('rb')
    while True:
        request = line(f)
        if not request:
            return
        headers = {}
        while True:
            h = line(f)
            if not h:
                break
            k, v = h.split(':', 1)
            headers[k.strip().lower()] = v.strip()
        path = request.split()[1]
        if path.endswith('/invocation/next'):
            with lock:
                n = served[0]
                if n == 2:
                    finish()
                served[0] += 1
            marks['next%d_ms' % n] = ms()
            c.sendall(b'HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r%d\r\nLambda-Runtime-Deadline-Ms: %d\r\n'
                      b'Content-Length: %d\r\n\r\n' % (n, int(time.time() * 1000) + 60000, len(event)) + event)
            continue
        n = int(path.split('/')[-2][1:]) if '/invocation/r' in path else -1
        chunks = 0
        if headers.get('transfer-encoding') == 'chunked':
            while True:
                size = int(line(f).split(';')[0], 16)
                if size == 0:
                    while line(f):
                        pass
                    break
                f.read(size)
                line(f)
                chunks += 1
                if chunks == 2:
                    marks['inv%d_first_body_chunk_ms' % n] = ms()
        else:
            f.read(int(headers.get('content-length', '0')))
        marks['inv%d_done_ms' % n] = ms()
        marks['inv%d_chunks' % n] = chunks
        c.sendall(b'HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n')


while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
