-- POST /api/jobs/: creates a run with a one-day timeout, so that none expires during the run.
-- BENCH_API_KEY comes from bench/run.ts. A static request: wrk sends it without calling Lua.
local key = os.getenv("BENCH_API_KEY") or ""

wrk.method = "POST"
wrk.path = "/api/jobs/"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "ApiKey " .. key
wrk.body = '{"name":"nightly-backup","timeoutSeconds":86400,"version":"1.0.0"}'
