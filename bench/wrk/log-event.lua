-- POST /jobs/:id: logs a 50-character message, spread round-robin over pre-created runs.
-- BENCH_API_KEY, BENCH_FIRST_RUN and BENCH_RUN_COUNT come from bench/run.ts; the requests are
-- formatted once in init(), so that Lua costs wrk almost nothing per request.
local key = os.getenv("BENCH_API_KEY") or ""
local first = tonumber(os.getenv("BENCH_FIRST_RUN") or "1")
local count = tonumber(os.getenv("BENCH_RUN_COUNT") or "1")

local requests = {}
local position = 0

function init(args)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "ApiKey " .. key,
  }
  for i = 0, count - 1 do
    -- "step NNNNNN done: 4096 rows copied, checksum ok" padded to exactly 50 characters.
    local message = string.format("step %06d done: 4096 rows copied, checksum ok.  ", i)
    local body = '{"message":"' .. message .. '"}'
    requests[i + 1] = wrk.format("POST", "/jobs/" .. (first + i), headers, body)
  end
end

function request()
  position = position % count + 1
  return requests[position]
end
